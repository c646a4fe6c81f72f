/**
 * The extension manifest (package.json) as the marketplace and VS Code read it: metadata,
 * every file that `contributes` points at, the walkthrough's steps and what completes them,
 * the changelog, and the .vscodeignore that decides what the .vsix holds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { manifestFiles } from '../../support/manifest';

const root = path.resolve(__dirname, '..', '..', '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const contributes = pkg.contributes;

/** Categories the marketplace accepts (vsce rejects others). */
const MARKETPLACE_CATEGORIES = new Set([
  'AI', 'Azure', 'Chat', 'Data Science', 'Debuggers', 'Education', 'Extension Packs', 'Formatters', 'Keymaps',
  'Language Packs', 'Linters', 'Machine Learning', 'Notebooks', 'Other', 'Programming Languages', 'SCM Providers',
  'Snippets', 'Testing', 'Themes', 'Visualization',
]);

function exists(relative: string): boolean {
  return fs.existsSync(path.join(root, relative));
}

const commandIds = new Set<string>((contributes.commands ?? []).map((c: { command: string }) => c.command));
const viewIds = new Set<string>(Object.values(contributes.views ?? {}).flatMap((views) => (views as { id: string }[]).map((v) => v.id)));
const settingIds = new Set<string>(Object.keys(contributes.configuration?.properties ?? {}));

test('marketplace metadata: names, version, license, repository, categories, keywords, icon', () => {
  assert.equal(pkg.name, 'hpc-workbench');
  assert.equal(pkg.displayName, 'HPC Workbench');
  assert.match(pkg.publisher, /^[a-z0-9][a-z0-9-]*$/);
  assert.match(pkg.version, /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
  assert.ok(pkg.description && pkg.description.length <= 200, 'a short description');
  assert.equal(pkg.license, 'MIT');
  assert.match(fs.readFileSync(path.join(root, 'LICENSE'), 'utf8'), /MIT License/);
  assert.equal(pkg.repository?.type, 'git');
  assert.doesNotThrow(() => new URL(pkg.repository.url), 'repository.url is a URL');
  assert.ok(Array.isArray(pkg.categories) && pkg.categories.length > 0);
  for (const c of pkg.categories) assert.ok(MARKETPLACE_CATEGORIES.has(c), `category ${c} is one the marketplace knows`);
  for (const c of ['Programming Languages', 'Linters']) assert.ok(pkg.categories.includes(c), `category ${c}`);
  // "Notebooks" exactly when the extension contributes notebook support.
  const notebooks = commandIds.has('hpcWorkbench.newSlurmNotebook') || (contributes.notebooks ?? []).length > 0;
  assert.equal(pkg.categories.includes('Notebooks'), notebooks, notebooks ? 'notebooks exist: add the Notebooks category' : 'no notebooks yet: no Notebooks category');
  assert.ok(pkg.keywords.length >= 3 && pkg.keywords.length <= 30, 'between 3 and 30 keywords (vsce allows 30)');
  for (const k of ['slurm', 'sbatch', 'hpc', 'mpi']) assert.ok(pkg.keywords.includes(k), `keyword ${k}`);
  // The marketplace wants a PNG icon of at least 128x128.
  assert.match(pkg.icon, /\.png$/);
  const icon = fs.readFileSync(path.join(root, pkg.icon));
  assert.equal(icon.subarray(1, 4).toString(), 'PNG');
  assert.ok(icon.readUInt32BE(16) >= 128 && icon.readUInt32BE(20) >= 128, 'icon at least 128x128');
  assert.match(pkg.engines.vscode, /^\^1\.\d+\.\d+$/);
});

test('every file that package.json names exists', () => {
  const files = manifestFiles(pkg);
  assert.ok(files.includes(path.normalize('dist/extension.js')) || !exists('dist'), 'main is dist/extension.js');
  for (const file of files) {
    // dist/ holds build output: checked in the packaged .vsix (test/ui/package.test.ts).
    if (file.startsWith('dist' + path.sep)) continue;
    assert.ok(exists(file), `${file} exists`);
  }
  assert.ok(files.some((f) => f.startsWith(path.normalize('media/walkthrough/'))), 'the walkthrough has images');
});

test('the walkthrough: every step has an image, a button for a contributed command, and a completion event that refers to something that exists', () => {
  const walkthroughs = contributes.walkthroughs ?? [];
  assert.equal(walkthroughs.length, 1);
  const [walkthrough] = walkthroughs;
  assert.ok(walkthrough.id && walkthrough.title && walkthrough.description);
  const stepIds = walkthrough.steps.map((s: { id: string }) => s.id);
  assert.deepEqual(stepIds, ['connectCluster', 'lintScript', 'submitJob', 'runMpi', 'openNotebook', 'clusterMap']);
  for (const step of walkthrough.steps) {
    assert.ok(step.title && step.description, `${step.id}: title and description`);
    assert.ok(step.media?.image && step.media.altText, `${step.id}: an image with alt text`);
    assert.match(step.media.image, /\.png$/);
    const size = fs.statSync(path.join(root, step.media.image)).size;
    assert.ok(size < 200 * 1024, `${step.id}: ${step.media.image} is small (${size} bytes)`);
    const links = [...step.description.matchAll(/\(command:([\w.]+)(?:\?([^)]*))?\)/g)];
    assert.ok(links.length > 0, `${step.id}: a button`);
    for (const [, command, args] of links) {
      assert.ok(commandIds.has(command), `${step.id}: the button's command ${command} is contributed`);
      if (args) assert.doesNotThrow(() => JSON.parse(decodeURIComponent(args)), `${step.id}: the button's arguments are JSON`);
    }
    assert.ok(step.completionEvents?.length > 0, `${step.id}: completes by itself`);
    for (const event of step.completionEvents) {
      const [kind, ...rest] = event.split(':');
      const what = rest.join(':');
      if (kind === 'onCommand') assert.ok(commandIds.has(what), `${step.id}: ${event} is a contributed command`);
      else if (kind === 'onView') assert.ok(viewIds.has(what), `${step.id}: ${event} is a contributed view`);
      else if (kind === 'onSettingChanged') assert.ok(settingIds.has(what), `${step.id}: ${event} is a contributed setting`);
      else assert.ok(kind === 'onContext' || kind === 'onLink' || kind === 'onEvent' || kind === 'extensionInstalled', `${step.id}: ${event} is an event VS Code knows`);
    }
  }
});

test('CHANGELOG.md follows Keep a Changelog and names the current version', () => {
  const changelog = fs.readFileSync(path.join(root, 'CHANGELOG.md'), 'utf8');
  assert.match(changelog, /^# Changelog$/m);
  assert.match(changelog, /^## \[Unreleased\]$/m);
  assert.match(changelog, new RegExp(`^## \\[${pkg.version.replace(/\./g, '\\.')}\\] - \\d{4}-\\d{2}-\\d{2}$`, 'm'));
  for (const section of changelog.matchAll(/^### (.+)$/gm)) {
    assert.ok(['Added', 'Changed', 'Deprecated', 'Removed', 'Fixed', 'Security'].includes(section[1]), `section ${section[1]}`);
  }
});

test('.vscodeignore packs an allow-list: no sources, tests, caches or source maps', () => {
  const lines = fs.readFileSync(path.join(root, '.vscodeignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  assert.equal(lines[0], '**', 'everything is left out, then what is needed is let in');
  const allowed = lines.filter((l) => l.startsWith('!')).map((l) => l.slice(1));
  for (const needed of ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', 'dist/extension.js', 'dist/server.js', 'syntaxes/**', 'snippets/**', 'media/**']) {
    assert.ok(allowed.includes(needed), `.vscodeignore lets ${needed} in`);
  }
  for (const entry of allowed) assert.doesNotMatch(entry, /\.map$|^src\b|^test\b|^out\b|^\.cache\b|^node_modules\b/, `${entry} is not let in`);
});
