import nx from '@nx/eslint-plugin';

/** Tags on two axes (scope, type) plus the side of CQRS; see README "Project graph and rules". */
const NO_IO_IMPORTS = [
  'knex',
  'mysql2',
  'mysql2/*',
  'nats',
  'mongodb',
  '@grpc/*',
  'grpc-health-check',
  'pino',
  'node:fs',
  'node:net',
  'node:http',
  'node:child_process',
];

/** The dependency rules between projects; test files may also use the testing lib. */
function boundaries({ tests }) {
  const testing = tests ? ['type:testing'] : [];
  return {
    enforceBuildableLibDependency: false,
    allow: [],
    depConstraints: [
      {
        sourceTag: 'type:app',
        onlyDependOnLibsWithTags: ['type:contracts', 'type:domain', 'type:read-model', 'type:infra', 'type:util', 'type:testing'],
      },
      { sourceTag: 'type:infra', onlyDependOnLibsWithTags: ['type:contracts', 'type:util', ...testing] },
      { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:util', ...testing], bannedExternalImports: NO_IO_IMPORTS },
      {
        sourceTag: 'type:read-model',
        onlyDependOnLibsWithTags: ['type:contracts', 'type:util', ...testing],
        bannedExternalImports: NO_IO_IMPORTS,
      },
      { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts', ...testing] },
      { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util', ...testing] },
      {
        // A context's testing lib builds on the platform's (app processes, calls through the clients).
        sourceTag: 'type:testing',
        onlyDependOnLibsWithTags: ['type:contracts', 'type:domain', 'type:read-model', 'type:infra', 'type:util', 'type:testing'],
      },
      {
        sourceTag: 'type:tool',
        onlyDependOnLibsWithTags: ['type:contracts', 'type:domain', 'type:read-model', 'type:infra', 'type:util', 'type:testing'],
      },
      { sourceTag: 'scope:platform', onlyDependOnLibsWithTags: ['scope:platform'] },
      { sourceTag: 'scope:catalog', onlyDependOnLibsWithTags: ['scope:catalog', 'scope:platform'] },
      { sourceTag: 'scope:orders', onlyDependOnLibsWithTags: ['scope:orders', 'scope:platform'] },
      { sourceTag: 'scope:app', onlyDependOnLibsWithTags: ['scope:catalog', 'scope:orders', 'scope:platform'] },
      { sourceTag: 'side:read', notDependOnLibsWithTags: ['side:write'] },
      { sourceTag: 'side:write', notDependOnLibsWithTags: ['side:read'] },
    ],
  };
}

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
      '@nx/enforce-module-boundaries': ['error', boundaries({ tests: false })],
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true, argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-mixed-operators': ['error', { groups: [['&&', '||']] }],
    },
  },
  {
    files: ['**/*.spec.ts'],
    rules: { '@nx/enforce-module-boundaries': ['error', boundaries({ tests: true })] },
  },
  {
    files: ['**/*.spec.ts', 'tools/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
];
