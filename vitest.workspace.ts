// The single list of test projects. Vitest 4 reads projects from vitest.config.ts, which imports
// this list, so adding a library here is the only step needed for the root test run to include it.
export const projects = ['libs/*', 'apps/*'];
export default projects;
