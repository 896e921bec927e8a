import { libTestConfig } from '../vitest/lib-config.ts';

// Slow by nature (temporary workspaces, builds, npm pack/install): generous timeouts, and files
// run one after another so they do not fight over the two CI cores with each other.
export default libTestConfig('workflow-tests', {
  testTimeout: 180_000,
  hookTimeout: 180_000,
  fileParallelism: false,
});
