/**
 * The packaged extension (`npm run package` → dist/hpc-workbench.vsix, or HPCW_VSIX): it holds
 * every file the extension needs at run time — the bundles, the files package.json names, the
 * walkthrough's images — and nothing of the sources, tests, caches or source maps.
 *
 * Reads the .vsix's zip central directory itself (no unzip needed).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../support/codeServer';
import { manifestFiles } from '../support/manifest';

const vsixPath = path.resolve(repoRoot, process.env.HPCW_VSIX ?? path.join('dist', 'hpc-workbench.vsix'));

/** The names of the entries of a zip file, from its central directory. */
export function zipEntries(zip: Buffer): string[] {
  // End of central directory record: signature 0x06054b50, at most 64 KiB of comment after it.
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip file (no end of central directory)');
  const count = zip.readUInt16LE(eocd + 10);
  let offset = zip.readUInt32LE(eocd + 16);
  const names: string[] = [];
  for (let n = 0; n < count; n++) {
    if (zip.readUInt32LE(offset) !== 0x02014b50) throw new Error(`bad central directory entry at ${offset}`);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    names.push(zip.subarray(offset + 46, offset + 46 + nameLength).toString('utf8'));
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}

test('the .vsix holds what the extension needs at run time, and nothing more', (t) => {
  assert.ok(fs.existsSync(vsixPath), `${path.relative(repoRoot, vsixPath)} exists: run \`npm run package\` first`);
  const zip = fs.readFileSync(vsixPath);
  const entries = zipEntries(zip);
  const files = new Set(entries.filter((e) => e.startsWith('extension/')).map((e) => e.slice('extension/'.length)));
  t.diagnostic(`${path.relative(repoRoot, vsixPath)}: ${Math.round(zip.length / 1024)} KiB, ${files.size} files`);
  assert.ok(entries.includes('extension.vsixmanifest'));

  // The manifest inside the package is the one that names the files.
  const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
  const needed = [
    'package.json',
    'dist/extension.js',
    'dist/server.js', // started by the language client (context.asAbsolutePath)
    ...manifestFiles(manifest).map((f) => f.split(path.sep).join('/')),
    // The webviews' scripts and styles (the cluster map), loaded from dist/media at run time.
    ...fs
      .readdirSync(path.join(repoRoot, 'dist', 'media'))
      .filter((f) => !f.endsWith('.map'))
      .map((f) => `dist/media/${f}`),
  ];
  assert.ok(needed.some((f) => f.startsWith('dist/media/')), 'the build wrote the webview bundles to dist/media');
  for (const file of needed) assert.ok(files.has(file.replace(/^\.\//, '')), `${file} is in the package`);
  assert.ok([...files].some((f) => f.toLowerCase() === 'readme.md'), 'README is in the package');
  assert.ok([...files].some((f) => f.toLowerCase() === 'changelog.md'), 'CHANGELOG is in the package');

  // The README's pictures are packaged too: VS Code's extension page shows them from the package.
  const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  for (const [, image] of readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)) {
    if (/^https?:/.test(image)) continue;
    assert.ok(files.has(image.replace(/^\.\//, '')), `README picture ${image} is in the package`);
  }

  for (const file of files) {
    assert.doesNotMatch(file, /\.map$/, `no source map (${file})`);
    assert.doesNotMatch(file, /^(src|test|out|bench|scripts|node_modules|\.cache|\.sandbox|\.artifacts|docs)\//, `no ${file}`);
    assert.doesNotMatch(file, /\.ts$/, `no TypeScript source (${file})`);
  }
});

test('zipEntries refuses a file that is not a zip', () => {
  assert.throws(() => zipEntries(Buffer.from('not a zip at all, just some text of sufficient length')), /not a zip/);
});
