// The single list of test projects. Vitest 4 reads projects from vitest.config.ts, which imports
// this list, so adding a library here is the only step needed for the root test run to include it.
// tools/workflow-tests holds the slow workflow tests (temporary workspaces, npm pack, nx affected).
export const projects = ['libs/*', 'apps/*', 'tools/engine-plugin', 'tools/workflow-tests'];
export default projects;
