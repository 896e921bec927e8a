import { defaultServerConditions, defineConfig, type UserConfig } from 'vite';

// Workspace packages resolve to their TypeScript source (no build needed before testing).
// `module` is left out: packages such as @opentelemetry/api point it at an ESM build with
// extensionless imports, which Node cannot load once Vitest externalizes the package.
const conditions = ['@agentopera/source', ...defaultServerConditions.filter((condition) => condition !== 'module')];

/** Shared Vitest config of a library or app: tests beside the code, Node environment. */
export function libTestConfig(name: string, overrides: UserConfig['test'] = {}): UserConfig {
  return defineConfig({
    resolve: { conditions },
    ssr: { resolve: { conditions } },
    test: {
      name,
      include: ['src/**/*.spec.ts', 'tests/**/*.spec.ts'],
      environment: 'node',
      ...overrides,
    },
  });
}
