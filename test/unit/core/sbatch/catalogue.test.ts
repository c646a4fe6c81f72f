/**
 * The option catalogue against the installed sbatch's man page (Debian's slurm-client ships
 * /usr/share/man/man1/sbatch.1.gz): every option there must be in the catalogue with the same
 * short letter and the same kind of argument.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { OPTIONS, findOption, FILENAME_PATTERNS, resolveLongOption } from '../../../../src/core/sbatch';

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
