import nx from '@nx/eslint-plugin';

/** Tags on two axes (scope, type) plus the side of CQRS; see README "Project graph and rules". */
const NO_IO_IMPORTS = ['knex', 'mysql2', 'mysql2/*', 'nats', 'mongodb', '@grpc/*', 'grpc-health-check', 'pino', 'node:fs', 'node:net', 'node:http', 'node:child_process'];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: ['**/dist', '**/node_modules', '**/src/generated', '**/.nx', 'tmp', 'coverage', '.local'],
  },
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:contracts', 'type:domain', 'type:infra', 'type:util', 'type:testing'] },
            { sourceTag: 'type:infra', onlyDependOnLibsWithTags: ['type:contracts', 'type:util'] },
            { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:util'], bannedExternalImports: NO_IO_IMPORTS },
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts'] },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:contracts', 'type:domain', 'type:infra', 'type:util'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:contracts', 'type:domain', 'type:infra', 'type:util', 'type:testing'] },
            { sourceTag: 'scope:platform', onlyDependOnLibsWithTags: ['scope:platform'] },
            { sourceTag: 'scope:catalog', onlyDependOnLibsWithTags: ['scope:catalog', 'scope:platform'] },
            { sourceTag: 'scope:orders', onlyDependOnLibsWithTags: ['scope:orders', 'scope:platform'] },
            { sourceTag: 'scope:app', onlyDependOnLibsWithTags: ['scope:catalog', 'scope:orders', 'scope:platform'] },
            { sourceTag: 'side:read', notDependOnLibsWithTags: ['side:write'] },
            { sourceTag: 'side:write', notDependOnLibsWithTags: ['side:read'] },
          ],
        },
      ],
      '@typescript-eslint/no-non-null-assertion': 'error',
      'no-mixed-operators': ['error', { groups: [['&&', '||']] }],
    },
  },
  {
    files: ['**/*.spec.ts', 'tools/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
];
