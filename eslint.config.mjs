import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

// Dependency direction between the libraries, enforced on imports: a library may import only the scopes listed.
export const depConstraints = [
  { sourceTag: 'scope:types', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'scope:queue', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'scope:serialization', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'scope:subscriptions', onlyDependOnLibsWithTags: ['scope:types'] },
  { sourceTag: 'scope:telemetry', onlyDependOnLibsWithTags: ['scope:types'] },
  { sourceTag: 'scope:state', onlyDependOnLibsWithTags: ['scope:types'] },
  {
    sourceTag: 'scope:engine',
    onlyDependOnLibsWithTags: [
      'scope:types', 'scope:queue', 'scope:subscriptions', 'scope:serialization', 'scope:telemetry', 'scope:state',
    ],
  },
  { sourceTag: 'scope:agents', onlyDependOnLibsWithTags: ['scope:types', 'scope:subscriptions', 'scope:serialization'] },
  {
    sourceTag: 'scope:core',
    onlyDependOnLibsWithTags: [
      'scope:types', 'scope:queue', 'scope:subscriptions', 'scope:serialization', 'scope:telemetry', 'scope:state',
      'scope:engine', 'scope:agents',
    ],
  },
  {
    // The NATS engine builds on every library but is not part of core (its own install).
    sourceTag: 'scope:nats',
    onlyDependOnLibsWithTags: [
      'scope:types', 'scope:queue', 'scope:subscriptions', 'scope:serialization', 'scope:telemetry', 'scope:engine',
      'scope:agents', 'scope:state',
    ],
  },
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['*'] },
  { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['*'] },
];

export default [
  { ignores: ['**/dist/**', '**/node_modules/**', '**/.nx/**', '**/tmp/**', '**/coverage/**'] },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts', '**/*.mts', '**/*.js', '**/*.mjs'],
    rules: {
      // Tests may reach the shared test tooling in tools/vitest (e.g. bundling a child process).
      '@nx/enforce-module-boundaries': [
        'error',
        { enforceBuildableLibDependency: false, allow: ['^(\\.\\./)+tools/vitest/[\\w-]+\\.js$'], depConstraints, banTransitiveDependencies: false },
      ],
    },
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      // Private constructors of static-only classes and no-op defaults are intentional.
      '@typescript-eslint/no-empty-function': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Test configs share tools/vitest by relative path; they are not library code.
    files: ['**/vitest.config.ts'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
  {
    files: ['**/*.spec.ts', '**/test-utils/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
];
