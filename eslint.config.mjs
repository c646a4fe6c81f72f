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
    files: ['src/core/**/*.ts', 'src/cluster/**/*.ts', 'src/server/**/*.ts', 'src/cli/**/*.ts', 'src/transport/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'The core, cluster service, server, CLI and transports must not import vscode.' }] }],
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
