/**
 * The value check of each option kind (src/core/sbatch/validateValue.ts). The ACCEPTED / REJECTED
 * tables were recorded by running sbatch 22.05 of the sandbox on each value (`sbatch OPTION
 * --wrap=true` for the client-side checks, and `sbatch --test-only` for the controller-side ones:
 * arrays, dependencies, time-min).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findOption, validateOptionValue } from '../../../../src/core/sbatch';

function verdict(option: string, value: string): 'ok' | 'error' | 'warning' | 'information' {
  const opt = findOption(option);
  assert.ok(opt, option);
  return validateOptionValue(opt, value)?.severity ?? 'ok';
}

const ACCEPTED: [string, string][] = [
  ['time', '90'], ['time', '1-'], ['time', '1-2:3'], ['time', 'UNLIMITED'], ['time', 'infinite'], ['time', '-1'], ['time', '0'],
  ['mem', '16GB'], ['mem', '16G'], ['mem', '16g'], ['mem', '0'], ['mem', '16Gb'], ['mem', '16M'], ['mem', '16KB'], ['mem', '16t'],
  ['mem-per-cpu', '1K'], ['tmp', '10G'], ['tmp', '0'],
  ['nodes', '0'], ['nodes', '1k'], ['nodes', '2-4'], ['nodes', '1k-2k'], ['nodes', '1K'],
  ['array', '1-10:2%3'], ['array', '0-9%2'], ['array', '1,3,5-7'],
  ['dependency', 'afterok:1:2?afterany:3'], ['dependency', 'singleton'], ['dependency', 'after:5+10'], ['dependency', 'afterok:999999'],
  ['mail-type', 'END,FAIL'], ['mail-type', 'end'], ['mail-type', 'ALL,NONE'],
  ['signal', 'USR1@60'], ['signal', 'B:SIGUSR1@60'], ['signal', 'RB:10'], ['signal', 'R:10'], ['signal', '10@0'], ['signal', 'SIGUSR1'], ['signal', 'usr1'], ['signal', 'BR:10'],
  ['begin', 'now+1hour'], ['begin', '16:00'], ['begin', '2030-01-01T12:00'], ['begin', 'tomorrow'], ['begin', 'teatime'], ['begin', 'now+60'],
  ['begin', 'now+5minutes'], ['begin', '12/25'], ['begin', '1225'], ['begin', '10:00am'], ['begin', '2030-01-01'], ['begin', 'NOW+1HOUR'], ['begin', 'now+1week'],
  ['deadline', 'now+1hour'],
  ['distribution', 'cyclic:block'], ['distribution', 'plane=4'], ['distribution', 'block:cyclic:fcyclic,Pack'], ['distribution', '*:block'],
  ['distribution', 'block:*:cyclic'], ['distribution', 'block,pack'], ['distribution', 'cyclic:fcyclic'], ['distribution', 'arbitrary'],
  ['open-mode', 'append'], ['open-mode', 'TRUNCATE'],
  ['exclusive', 'user'], ['exclusive', 'mcs'],
  ['export', 'NONE'], ['export', 'ALL,FOO=bar'], ['export', 'ALL'], ['export', 'A,B=1,2'],
  ['mem-bind', 'local'], ['mem-bind', 'verbose,map_mem:0,1'], ['mem-bind', 'quiet,none'],
  ['cpu-freq', '2400000'], ['cpu-freq', 'low-high:OnDemand'], ['acctg-freq', 'task=30'], ['acctg-freq', '30'],
  ['profile', 'task,energy'], ['propagate', 'STACK,CORE'], ['get-user-env', '10L'], ['get-user-env', '10'], ['get-user-env', 'S'],
  ['gpu-bind', 'closest'], ['gpu-bind', 'verbose,map_gpu:0,1'], ['gpu-bind', 'single:2'], ['gpu-freq', 'high'], ['gpu-freq', 'memory=high,verbose'], ['gpu-freq', '1000'],
  ['switches', '2@10'], ['switches', '2@1:00'], ['delay-boot', '10'], ['delay-boot', '1:00'], ['wait-all-nodes', '1'],
  ['nice', '-5'], ['nice', '100000000'], ['priority', 'TOP'], ['core-spec', '0'], ['extra-node-info', '2:*:1'], ['extra-node-info', '2-4'],
  ['kill-on-invalid-dep', 'YES'], ['hint', 'compute_bound'], ['hint', 'help'], ['power', 'level'], ['no-kill', 'off'],
  ['gres-flags', 'disable-binding'], ['ntasks', '1'], ['cpus-per-task', '2'],
];

const REJECTED: [string, string][] = [
  ['time', '1:2:3:4'], ['time', ' 5'], ['time', '1.5'], ['time', '1-2-3'], ['time', ':5'], ['time', '5:'], ['time', '1-2:3:4:5'], ['time', 'a'], ['time', ''],
  ['time-min', 'x'],
  ['mem', '1.5G'], ['mem', '16P'], ['mem', '16GiB'], ['mem', '-1'], ['mem', '16X'], ['mem', '16KiB'], ['tmp', 'x'],
  ['nodes', '2-1'], ['nodes', '1,4'], ['nodes', '1-'], ['nodes', 'x'], ['nodes', ''], ['nodes', '1-2-3'],
  ['ntasks', '0'], ['ntasks', '2-4'], ['ntasks', '1k'], ['cpus-per-task', '0'], ['cpus-per-task', 'x'], ['cpus-per-gpu', '0'],
  ['thread-spec', 'x'], ['mincpus', '0'], ['sockets-per-node', '0'], ['ntasks-per-core', '0'], ['ntasks-per-node', '0'], ['threads-per-core', 'x'],
  ['array', '5-1'], ['array', '1-x'],
  ['dependency', 'foo:1'], ['dependency', 'afterok'], ['dependency', 'afterok:x'],
  ['mail-type', 'BOGUS'], ['mail-type', ''],
  ['signal', 'FOO'], ['signal', '10@70000'],
  ['begin', 'bogus'], ['begin', 'now+5min'], ['begin', '10am'], ['begin', '2030-01-01T10'], ['deadline', 'bogus'],
  ['distribution', 'bogus'], ['distribution', 'plane=x'],
  ['open-mode', 'x'], ['exclusive', 'foo'], ['mem-bind', 'bogus'],
  ['hint', 'bogus'], ['gres-flags', 'bogus'], ['kill-on-invalid-dep', 'maybe'], ['profile', 'bogus'], ['propagate', 'BOGUS'], ['propagate', 'stack'],
  ['cpu-freq', 'bogus'], ['acctg-freq', 'bogus'], ['switches', 'x'], ['delay-boot', 'x'], ['wait-all-nodes', '5'], ['core-spec', 'x'],
  ['extra-node-info', '2:4:x'], ['get-user-env', 'x'], ['no-kill', 'bogus'], ['gpu-bind', 'bogus'], ['gpu-freq', 'bogus'],
];

test('values sbatch 22.05 accepts are accepted', () => {
  const wrong = ACCEPTED.filter(([o, v]) => verdict(o, v) === 'error');
  assert.deepEqual(wrong, []);
});

test('values sbatch 22.05 rejects are errors', () => {
  const wrong = REJECTED.filter(([o, v]) => verdict(o, v) !== 'error');
  assert.deepEqual(wrong, []);
});

test('values sbatch accepts but reads differently are warnings', () => {
  assert.equal(verdict('open-mode', 'apple'), 'warning'); // recorded: accepted as append
  assert.equal(verdict('mail-type', 'END,FIAL'), 'warning'); // recorded: accepted, FIAL dropped
  assert.equal(verdict('nice', 'x'), 'warning'); // recorded: accepted
  assert.equal(verdict('power', 'x'), 'warning'); // recorded: "Ignoring unrecognized power option"
});
