/** The settings table of src/core/settings.ts against package.json: every setting, every default. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { refreshIntervalMs, SETTING_DEFAULTS, validateClusterEntries } from '../../../src/core/settings';

const manifest = JSON.parse(readFileSync(path.resolve(__dirname, '..', '..', '..', '..', 'package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, { default?: unknown; minimum?: number }> } };
};
const properties = manifest.contributes.configuration.properties;

test('every setting of package.json is in the table with the same default, and nothing else', () => {
  const fromManifest = Object.fromEntries(Object.entries(properties).map(([key, p]) => [key.replace(/^hpcWorkbench\./, ''), p.default]));
  assert.deepEqual(Object.keys(SETTING_DEFAULTS).sort(), Object.keys(fromManifest).sort());
  for (const [name, value] of Object.entries(SETTING_DEFAULTS)) assert.deepEqual(value, fromManifest[name], name);
});

test('the refresh interval keeps package.json minimum and replaces malformed values', () => {
  assert.equal(refreshIntervalMs(15), 15_000);
  assert.equal(refreshIntervalMs((properties['hpcWorkbench.refreshInterval'].minimum ?? 0) - 1), (properties['hpcWorkbench.refreshInterval'].minimum ?? 0) * 1000);
  assert.equal(refreshIntervalMs('soon'), SETTING_DEFAULTS.refreshInterval * 1000);
  assert.equal(refreshIntervalMs(Number.NaN), SETTING_DEFAULTS.refreshInterval * 1000);
});

test('malformed cluster entries give one clear message each; valid ones are kept', () => {
  const { clusters, problems } = validateClusterEntries([
    { name: 'ok', host: 'login.example.org', port: 2222 },
    { name: 'ok', host: 'again' },
    { host: 'nameless' },
    { name: 'bad-port', host: 'h', port: 70000 },
    { name: 'bad-transport', transport: 'telnet' },
    { name: 'no-host' },
    'a string',
    { name: 'here', transport: 'local', slurmConf: '/etc/slurm/slurm.conf' },
  ]);
  assert.deepEqual(clusters, [
    { name: 'ok', host: 'login.example.org', port: 2222, transport: 'ssh' },
    { name: 'here', transport: 'local', slurmConf: '/etc/slurm/slurm.conf' },
  ]);
  assert.equal(problems.length, 6);
  assert.match(problems.join('\n'), /already has this name/);
  assert.match(problems.join('\n'), /"port" must be a whole number/);
  assert.match(problems.join('\n'), /"transport" must be "ssh" or "local"/);
  assert.match(problems.join('\n'), /"host" is required/);
  assert.deepEqual(validateClusterEntries({ not: 'an array' }).problems, ['hpcWorkbench.clusters must be an array of cluster entries.']);
  assert.deepEqual(validateClusterEntries(undefined), { clusters: [], problems: [] });
});
