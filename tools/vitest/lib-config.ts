import { defaultServerConditions, defineConfig, type UserConfig } from 'vite';

/**
 * Shared Vitest config for a library or app: tests beside the code, workspace imports resolved to
 * source through the `@agentopera/source` export condition (no build needed before testing).
 */
export function libTestConfig(name: string, overrides: UserConfig['test'] = {}): UserConfig {
  const conditions = ['@agentopera/source', ...defaultServerConditions];
  return defineConfig({
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: conditions } },
    test: {
      name,
      include: ['src/**/*.spec.ts', 'tests/**/*.spec.ts'],
      environment: 'node',
      ...overrides,
    },
  });
}
