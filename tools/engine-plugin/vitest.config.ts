import { libTestConfig } from '../vitest/lib-config.ts';

export default libTestConfig('engine-plugin');
