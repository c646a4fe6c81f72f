// Bundles the extension, the language server and the CLI with esbuild.
// Usage: node scripts/build.mjs [--production] [--watch]
import * as esbuild from 'esbuild';
import { chmod } from 'node:fs/promises';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  // ssh2's optional native helpers: it falls back to pure JS without them.
  external: ['vscode', 'cpu-features', './crypto/build/Release/sshcrypto.node'],
};

const entries = [
  { entryPoints: ['src/extension/main.ts'], outfile: 'dist/extension.js' },
  { entryPoints: ['src/server/main.ts'], outfile: 'dist/server.js', banner: { js: '#!/usr/bin/env node' } },
  { entryPoints: ['src/cli/sbatchLint.ts'], outfile: 'dist/sbatch-lint.js', banner: { js: '#!/usr/bin/env node' } },
];

// The webview scripts and styles: browser code, loaded by the webviews from dist/media only.
const webview = {
  bundle: true,
  platform: 'browser',
  target: 'es2022',
  format: 'iife',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
};
const webviewEntries = [
  { entryPoints: ['src/webview/clusterMap/main.ts'], outfile: 'dist/media/clusterMap.js' },
  { entryPoints: ['src/webview/clusterMap/map.css'], outfile: 'dist/media/clusterMap.css' },
];

const contexts = await Promise.all([
  ...entries.map((e) => esbuild.context({ ...common, ...e })),
  ...webviewEntries.map((e) => esbuild.context({ ...webview, ...e })),
]);
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('[build] watching');
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
  await chmod('dist/server.js', 0o755);
  await chmod('dist/sbatch-lint.js', 0o755);
  console.log(`[build] ${production ? 'production ' : ''}bundles written to dist/`);
}
