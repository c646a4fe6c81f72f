/**
 * The recording of sbatch's options for the sandbox's Slurm version
 * (test/fixtures/sbatch/options-<version>.txt, which test/unit/sbatch/catalogue.test.ts checks
 * the catalogue against) is still what this sbatch does: same version, and every option whose
 * existence or argument changes between the supported versions probed again through getopt,
 * as scripts/record-sbatch-options.sh does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OPTIONS } from '../../../src/core/sbatch';
import { optionArg, optionArgKinds, optionExistsIn } from '../../../src/core/sbatch/options';
import { loadSandbox, runCommand, slurmEnv } from '../../support/sandbox';

const fixtures = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'sbatch');

test("the catalogue's version-dependent options, probed on this sandbox's sbatch", async () => {
  const info = loadSandbox();
  const env = slurmEnv(info);
  const version = (await runCommand('sbatch', ['--version'], { env })).stdout.trim().split(/\s+/)[1];
  const major = version.split('.').slice(0, 2).join('.');
  const recording = fs.readFileSync(path.join(fixtures, `options-${major}.txt`), 'utf8');
  assert.match(recording, new RegExp(`^# sbatch ${version.replace(/\./g, '\\.')}:`), 'recorded from this very version');
  // getopt's complaint about `--opt` last, or about `--opt=x`.
  const probe = async (arg: string) => {
    const r = await runCommand('sbatch', ['--test-only', '--wrap', 'true', arg], { env, timeoutMs: 60_000 });
    return r.stderr.split('\n')[0] ?? '';
  };
  const changing = OPTIONS.filter((o) => o.since || o.removed || optionArgKinds(o).length > 1);
  assert.ok(changing.length >= 15, `${changing.length} version-dependent options`);
  const wrong: string[] = [];
  for (const opt of changing) {
    const alone = await probe(`--${opt.long}`);
    const exists = !/unrecognized option/.test(alone);
    // Where the option does not exist, getopt may take its name as a prefix of one that does
    // (22.05 reads --extra as --extra-node-info).
    const prefixOf = OPTIONS.filter((o) => o !== opt && o.long.startsWith(opt.long) && optionExistsIn(o, version));
    if (!optionExistsIn(opt, version) && prefixOf.length > 0) continue;
    if (exists !== optionExistsIn(opt, version)) {
      wrong.push(`--${opt.long}: sbatch ${version} ${exists ? 'accepts' : 'rejects'} it (${alone})`);
      continue;
    }
    if (!exists) continue;
    const withX = await probe(`--${opt.long}=x`);
    const arg = /requires an argument/.test(alone) ? 'required' : /allow an argument/.test(withX) ? 'none' : 'optional';
    if (arg !== optionArg(opt, version)) wrong.push(`--${opt.long}: sbatch ${version} takes it as ${arg}, the catalogue as ${optionArg(opt, version)}`);
    const line = recording.split('\n').find((l) => l.startsWith(`${opt.long} `));
    if (!line?.split(' ')[2]?.startsWith(arg)) wrong.push(`--${opt.long}: the recording says "${line ?? 'nothing'}", sbatch ${arg}`);
  }
  assert.deepEqual(wrong, []);
  console.log(`# ${changing.length} version-dependent options probed on sbatch ${version}: as recorded`);
});
