import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cursorContext } from '../../../src/server/cursor';

/** The context at the "|" of `marked`. */
function at(marked: string) {
  const i = marked.indexOf('|');
  return cursorContext(marked.slice(0, i) + marked.slice(i + 1), i);
}

test('typing the keyword', () => {
  assert.deepEqual(at('#SB|'), { kind: 'keyword', start: 0, end: 3 });
  assert.equal(at('echo #SB|').kind, 'none');
  assert.equal(at('#SBATCH|').kind, 'keyword');
});

test('option names: long, short, bare and empty slots', () => {
  assert.deepEqual(at('#SBATCH --ti|'), { kind: 'option', prefix: '--ti', start: 8, end: 12 });
  // The whole word is replaced when the cursor is inside it.
  assert.deepEqual(at('#SBATCH --ti|me=5'), { kind: 'option', prefix: '--ti', start: 8, end: 14 });
  assert.deepEqual(at('#SBATCH -|'), { kind: 'option', prefix: '-', start: 8, end: 9 });
  assert.deepEqual(at('#SBATCH |'), { kind: 'option', prefix: '', start: 8, end: 8 });
  assert.deepEqual(at('#SBATCH tim|'), { kind: 'option', prefix: 'tim', start: 8, end: 11 });
});

test('values after =, after a space, glued to a short option', () => {
  const eq = at('#SBATCH --partition=de|');
  assert.equal(eq.kind, 'value');
  assert.ok(eq.kind === 'value');
  assert.equal(eq.option.long, 'partition');
  assert.equal(eq.prefix, 'de');
  assert.equal(eq.start, 20);
  const spaced = at('#SBATCH -p |');
  assert.ok(spaced.kind === 'value' && spaced.option.long === 'partition' && spaced.prefix === '' && spaced.start === 11);
  const glued = at('#SBATCH -pco|');
  assert.ok(glued.kind === 'value' && glued.option.long === 'partition' && glued.prefix === 'co' && glued.start === 10);
  // A getopt abbreviation resolves too.
  const abbrev = at('#SBATCH --mail-ty=|');
  assert.ok(abbrev.kind === 'value' && abbrev.option.long === 'mail-type');
});

test('list values complete the current item only', () => {
  const ctx = at('#SBATCH --mail-type=BEGIN,EN|D,FAIL');
  assert.ok(ctx.kind === 'value');
  assert.equal(ctx.prefix, 'EN');
  assert.equal(ctx.start, 26);
  assert.equal(ctx.end, 29);
});

test('quoted values keep raw columns', () => {
  const ctx = at('#SBATCH --output="logs/%|');
  assert.ok(ctx.kind === 'value' && ctx.option.long === 'output');
  assert.equal(ctx.prefix, 'logs/%');
  assert.equal(ctx.valueStart, 18);
});

test('nothing in comments, flags, shell lines or lookalikes', () => {
  assert.equal(at('#SBATCH --time=5 # a comm|').kind, 'none');
  assert.equal(at('#SBATCH --exclusive=|').kind, 'value'); // optional value
  assert.equal(at('#SBATCH --requeue=|').kind, 'none'); // a flag takes no value
  assert.equal(at('srun -|').kind, 'none');
  assert.equal(at('#SBATCHX --|').kind, 'none');
  assert.equal(at('  #SBATCH --|').kind, 'none');
});

test('after a flag comes another option, not a value', () => {
  const ctx = at('#SBATCH --requeue |');
  assert.equal(ctx.kind, 'option');
});
