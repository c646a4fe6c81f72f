import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', '.cache/**', '.sandbox/**', 'test/fixtures/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // The core must stay free of VS Code: it is shared with the CLI and the language server.
      'no-restricted-imports': 'off',
    },
  },
  {
    files: ['src/cluster/**/*.ts', 'src/server/**/*.ts', 'src/cli/**/*.ts', 'src/transport/**/*.ts', 'src/runtime/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'The core, cluster service, server, CLI, transports and runtime must not import vscode.' }] }],
    },
  },
  {
    // The core is pure logic: no VS Code, no processes, no file system (that is src/runtime and
    // src/transport). This block replaces the one above for src/core, so it repeats vscode.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'vscode', message: 'The core, cluster service, server, CLI, transports and runtime must not import vscode.' },
            ...['node:child_process', 'child_process', 'node:fs', 'fs', 'node:fs/promises', 'fs/promises'].map((name) => ({
              name,
              message: 'src/core is pure: processes and files belong in src/runtime (or src/transport); give the core their results.',
            })),
          ],
        },
      ],
    },
  },
  {
    // The VS Code layer reaches clusters through the cluster service (src/cluster) only.
    files: ['src/extension/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^(\\.\\./)+transport(/|$)', message: 'src/extension reaches clusters through src/cluster (the cluster service), never src/transport directly.' }] },
      ],
    },
  },
);
