/**
 * The option catalogue against the installed sbatch's man page (Debian's slurm-client ships
 * /usr/share/man/man1/sbatch.1.gz): every option there must be in the catalogue with the same
 * short letter and the same kind of argument.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { OPTIONS, findOption, FILENAME_PATTERNS, resolveLongOption } from '../../../../src/core/sbatch';
import { compareSlurmVersions, optionArg, optionExistsIn } from '../../../../src/core/sbatch/options';

const MAN = '/usr/share/man/man1/sbatch.1.gz';

interface ManOption {
  long: string;
  short?: string;
  arg: 'required' | 'optional' | 'none';
}

/** Reads the OPTIONS section's ".TP" headers: "\fB\-A\fR, \fB\-\-account\fR=<...>". */
export function optionsFromManPage(roff: string): ManOption[] {
  const out = new Map<string, ManOption>();
  const lines = roff.split('\n');
  for (let i = 0; i + 1 < lines.length; i++) {
    if (!lines[i].startsWith('.TP')) continue;
    const head = lines[i + 1].replace(/\\f[BRIP]/g, '').replace(/\\-/g, '-');
    const m = /^(?:-([A-Za-z]), )?--([a-z][a-z0-9-]*)(.*)$/.exec(head);
    if (!m) continue;
    const rest = m[3];
    const arg = rest.startsWith('[=') ? 'optional' : rest.startsWith('=') ? 'required' : 'none';
    if (!out.has(m[2])) out.set(m[2], { long: m[2], ...(m[1] ? { short: m[1] } : {}), arg });
  }
  return [...out.values()];
}

test('every option of the installed sbatch man page is in the catalogue', (t) => {
  if (!fs.existsSync(MAN)) {
    t.skip(`${MAN} is not installed (apt-get install slurm-client)`);
    return;
  }
  const man = optionsFromManPage(zlib.gunzipSync(fs.readFileSync(MAN)).toString('utf8'));
  assert.ok(man.length > 100, `only ${man.length} options read from the man page: the parser is broken`);
  const missing = man.filter((m) => !findOption(m.long)).map((m) => m.long);
  assert.deepEqual(missing, [], 'options missing from the catalogue');
  const wrongShort = man.filter((m) => findOption(m.long)?.short !== m.short).map((m) => `${m.long}: man -${m.short ?? ''} catalogue -${findOption(m.long)?.short ?? ''}`);
  assert.deepEqual(wrongShort, [], 'short letters differ');
  const wrongArg = man.filter((m) => findOption(m.long)?.arg !== m.arg).map((m) => `${m.long}: man ${m.arg} catalogue ${findOption(m.long)?.arg}`);
  assert.deepEqual(wrongArg, [], 'argument kinds differ');
  // Nothing in the catalogue that Slurm 22.05 has is undocumented by mistake: every catalogue
  // option is either in the man page, newer (since), removed, or a known hidden option.
  const inMan = new Set(man.map((m) => m.long));
  const extra = OPTIONS.filter((o) => !inMan.has(o.long) && !o.since && !o.removed).map((o) => o.long);
  assert.deepEqual(extra, []);
});

test('every option has a description, a placeholder for values, and a consistent shape', () => {
  const longs = new Set<string>();
  const shorts = new Set<string>();
  for (const o of OPTIONS) {
    assert.ok(!longs.has(o.long), `duplicate --${o.long}`);
    longs.add(o.long);
    if (o.short) {
      assert.ok(!shorts.has(o.short), `duplicate -${o.short}`);
      shorts.add(o.short);
    }
    assert.ok(o.description.length >= 20, `--${o.long} needs a description`);
    assert.ok(o.arg === 'none' ? o.placeholder === '' : o.placeholder.length > 0, `--${o.long} placeholder`);
    if (o.env) assert.match(o.env, /^SBATCH_[A-Z0-9_]+$/);
  }
  assert.equal(findOption('t')?.long, 'time');
  assert.equal(findOption('--time')?.long, 'time');
  assert.equal(findOption('tasks')?.long, 'ntasks');
  assert.equal(findOption('nosuch'), undefined);
  assert.equal(findOption('workdir')?.deprecated?.replacement, 'chdir');
  assert.ok(FILENAME_PATTERNS.some((p) => p.pattern === '%j'));
});

test('prefix resolution depends on the Slurm version', () => {
  assert.deepEqual(resolveLongOption('ext', '22.05'), { kind: 'prefix', option: findOption('extra-node-info'), name: 'extra-node-info' });
  assert.equal(resolveLongOption('ext').kind, 'ambiguous'); // current Slurm also has --extra
  assert.equal(resolveLongOption('extra').kind, 'exact');
  assert.equal(resolveLongOption('work').kind, 'unknown', 'removed options are not prefix targets');
});

/** One line of test/fixtures/sbatch/options-<version>.txt (scripts/record-sbatch-options.sh). */
interface RecordedOption {
  name: string;
  short?: string;
  arg: 'required' | 'optional' | 'none';
  refused: boolean;
}

/** Reads a recording: the full sbatch version from its header, and one entry per option. */
export function readRecording(text: string): { version: string; options: RecordedOption[] } {
  const version = /^# sbatch (\d+\.\d+\.\d+)/m.exec(text)?.[1];
  assert.ok(version, 'the recording names its sbatch version');
  const options: RecordedOption[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const [name, short, arg, , ...note] = line.split(' ');
    assert.ok(arg === 'required' || arg === 'optional' || arg === 'none', line);
    options.push({ name, ...(short !== '-' ? { short } : {}), arg, refused: note.join(' ').startsWith('refused') });
  }
  return { version, options };
}

const recordings = ['22.05', '24.11', '26.05'].map((v) => ({
  major: v,
  file: path.join(__dirname, '..', '..', '..', '..', '..', 'test', 'fixtures', 'sbatch', `options-${v}.txt`),
}));

for (const { major, file } of recordings) {
  test(`the catalogue agrees with the options recorded from sbatch ${major}`, () => {
    const { version, options } = readRecording(fs.readFileSync(file, 'utf8'));
    assert.ok(version.startsWith(major + '.'));
    assert.ok(options.length > 90, `only ${options.length} options recorded`);
    const problems: string[] = [];
    for (const r of options.filter((x) => !x.refused)) {
      const opt = findOption(r.name);
      if (!opt) {
        problems.push(`--${r.name}: accepted by sbatch ${version}, not in the catalogue`);
        continue;
      }
      if (!optionExistsIn(opt, version)) problems.push(`--${r.name}: accepted by sbatch ${version}, but the catalogue says since ${opt.since} / removed ${opt.removed}`);
      if (optionArg(opt, version) !== r.arg) problems.push(`--${r.name}: sbatch ${version} takes it as ${r.arg}, the catalogue as ${optionArg(opt, version)}`);
      if (r.short && opt.short !== r.short) problems.push(`--${r.name}: short -${r.short} in sbatch ${version}, -${opt.short ?? ''} in the catalogue`);
    }
    const accepted = new Set(options.filter((x) => !x.refused).map((x) => x.name));
    for (const opt of OPTIONS) {
      if (!optionExistsIn(opt, version)) continue;
      if (opt.removed && compareSlurmVersions(opt.removed, version) <= 0) continue;
      if (![opt.long, ...(opt.aliases ?? [])].some((n) => accepted.has(n))) {
        problems.push(`--${opt.long}: the catalogue has it in ${version}, sbatch ${version} does not accept it`);
      }
    }
    assert.deepEqual(problems, []);
  });
}

test('options added, removed or changed since 22.05 are those the recordings show', () => {
  assert.equal(findOption('power')?.removed, '24.11');
  assert.equal(optionArg(findOption('requeue')!, '22.05.8'), 'none');
  assert.equal(optionArg(findOption('requeue')!, '26.05.5'), 'optional');
  assert.equal(optionArg(findOption('get-user-env')!, '24.11.5'), 'optional');
  assert.equal(optionArg(findOption('get-user-env')!, '26.05.5'), 'none');
  for (const name of ['tres-per-task', 'tres-bind', 'oom-kill-step', 'segment', 'container-id', 'spread-segments', 'stepmgr']) {
    const opt = findOption(name);
    assert.ok(opt?.since, `--${name} has a since`);
    assert.equal(optionExistsIn(opt, '22.05.8'), false, `--${name} is not in 22.05`);
    assert.equal(optionExistsIn(opt, '26.05.5'), true, `--${name} is in 26.05`);
  }
});
