import { libTestConfig } from '../../tools/vitest/lib-config.ts';

export default libTestConfig('soak');
