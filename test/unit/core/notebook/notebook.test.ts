import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { cellBatchScript, classifyCell, splitMagicArgs } from '../../../../src/core/notebook/cells';
import { commandOutputHtml, tableFromText } from '../../../../src/core/notebook/tables';
import { jobCardHtml, jobCardText, tailLines } from '../../../../src/core/notebook/jobCard';
import { SLURM_NOTEBOOK_TEMPLATE, templateIpynb } from '../../../../src/core/notebook/template';
import { parseSbatchScript } from '../../../../src/core/sbatch/parse';
import { lintSbatch } from '../../../../src/core/sbatch/lint';

const fixtures = path.resolve(__dirname, '..', '..', '..', '..', '..', 'test', 'fixtures');

test('a cell of line magics: each line is argv, hostile text stays literal words', () => {
  const kind = classifyCell('# my jobs\n%squeue -u "$(touch /tmp/pwned)" ; \'a b\'\n\n%sinfo -p debug\n');
  assert.deepEqual(kind, {
    kind: 'magics',
    magics: [
      { name: 'squeue', argv: ['squeue', '-u', '$(touch /tmp/pwned)', ';', 'a b'], line: 1 },
      { name: 'sinfo', argv: ['sinfo', '-p', 'debug'], line: 3 },
    ],
  });
});

test('every line magic name is known; %sbatch FILE is a line magic, %%sbatch a cell magic', () => {
  for (const name of ['squeue', 'sinfo', 'sacct', 'scancel', 'sbatch', 'scontrol', 'sstat']) {
    const kind = classifyCell(`%${name} x`);
    assert.equal(kind.kind, 'magics', name);
  }
  assert.deepEqual(classifyCell('%%sbatch -p debug --job-name "a b"\n#!/bin/bash\necho hi'), {
    kind: 'sbatch',
    options: ['-p', 'debug', '--job-name', 'a b'],
    script: '#!/bin/bash\necho hi',
  });
  assert.deepEqual(classifyCell('%%sbatch\necho hi'), { kind: 'sbatch', options: [], script: 'echo hi' });
});

test('code cells, IPython magics, mixtures and malformed magics', () => {
  assert.equal(classifyCell('%matplotlib inline\nimport numpy').kind, 'code');
  assert.equal(classifyCell('print(1)').kind, 'code');
  assert.equal(classifyCell('%squeue;touch x').kind, 'code', 'not the magic %squeue: no space after the name');
  assert.equal(classifyCell('  \n').kind, 'empty');
  const mixed = classifyCell('%squeue\nprint(1)');
  assert.equal(mixed.kind, 'invalid');
  assert.match((mixed as { message: string }).message, /cell of their own/);
  const unmatched = classifyCell('%squeue -u "x');
  assert.equal(unmatched.kind, 'invalid');
  assert.match((unmatched as { message: string }).message, /Unmatched "/);
  assert.equal(classifyCell('echo\n%%sbatch').kind, 'code');
  assert.equal(classifyCell('\n%%sbatch -p x\necho').kind, 'invalid');
});

test('magic arguments: quotes, backslashes, comments, words starting with ":"', () => {
  assert.deepEqual(splitMagicArgs(` -o "%i %j" it\\'s # comment`), ['-o', '%i %j', "it's"]);
  assert.deepEqual(splitMagicArgs(' -o :a b :c'), ['-o', ':a', 'b', ':c']);
  assert.throws(() => splitMagicArgs(' -u ""'), /empty argument/);
});

test('the batch script of a %%sbatch cell gets #!/bin/bash when it has none', () => {
  assert.equal(cellBatchScript('echo hi'), '#!/bin/bash\necho hi\n');
  assert.equal(cellBatchScript('#!/bin/sh\r\necho hi\n'), '#!/bin/sh\necho hi\n');
});

test('sinfo, squeue and sacct output become tables; scontrol stays text', () => {
  const sinfo = tableFromText('PARTITION AVAIL  TIMELIMIT  NODES  STATE NODELIST\ndebug*       up      30:00      2   idle n[1-2]\ncompute      up 1-00:00:00      4   idle n[1-4]\n');
  assert.deepEqual(sinfo?.header, ['PARTITION', 'AVAIL', 'TIMELIMIT', 'NODES', 'STATE', 'NODELIST']);
  assert.deepEqual(sinfo?.rows[0], ['debug*', 'up', '30:00', '2', 'idle', 'n[1-2]']);
  const squeue = tableFromText(
    '             JOBID PARTITION     NAME     USER ST       TIME  NODES NODELIST(REASON)\n                42     debug     sine     root PD       0:00      1 (Priority)\n                43     debug     sine     root PD       0:00      1 (Dependency never satisfied)\n',
  );
  assert.deepEqual(squeue?.rows[1], ['43', 'debug', 'sine', 'root', 'PD', '0:00', '1', '(Dependency never satisfied)']);
  const sacct = tableFromText('JobID           UID    JobName      State\n------------ ------ ---------- ----------\n12                0       sine  COMPLETED\n');
  assert.deepEqual(sacct?.rows, [['12', '0', 'sine', 'COMPLETED']]);
  assert.deepEqual(tableFromText('JobID|State|\n12|COMPLETED|\n')?.rows, [['12', 'COMPLETED']]);
  assert.equal(tableFromText('JobId=12 JobName=sine\n   UserId=root(0)\n'), undefined);
  const html = commandOutputHtml('lab$ squeue', 'JOBID NAME\n1 <script>\n');
  assert.match(html, /<td[^>]*>&lt;script&gt;<\/td>/);
  assert.doesNotMatch(html, /<script>/);
  assert.match(commandOutputHtml('lab$ scontrol', 'JobId=1 <b>'), /<pre>JobId=1 &lt;b&gt;<\/pre>/);
});

test('the job card: text form and HTML, tail of the output, final state', () => {
  const running = { cluster: 'lab', jobId: '42', state: 'RUNNING', reason: 'None', elapsedSeconds: 12, limitSeconds: 300, nodes: ['n1'], output: 'step 0\nstep 1\n', ended: false };
  assert.equal(jobCardText(running), 'Job 42 on lab: RUNNING\nelapsed: 0:12 / 5:00 | nodes: n1\n--- output ---\nstep 0\nstep 1\n');
  const pending = { ...running, state: 'PENDING', reason: 'Priority', elapsedSeconds: 0, nodes: [], output: '' };
  assert.match(jobCardText(pending), /^Job 42 on lab: PENDING\nreason: Priority \| elapsed: 0:00 \/ 5:00\n$/);
  const done = { ...running, state: 'COMPLETED', exitCode: '0:0', elapsedSeconds: 31, ended: true, output: '<b>x</b>\n' };
  assert.match(jobCardText(done), /^Job 42 on lab: COMPLETED \(ended\)\nelapsed: 0:31 \/ 5:00 \| nodes: n1 \| exit code: 0:0\n/);
  assert.match(jobCardHtml(done), /COMPLETED<\/span> \(ended\)/);
  assert.match(jobCardHtml(done), /&lt;b&gt;x&lt;\/b&gt;/);
  const many = Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n') + '\n';
  assert.equal(tailLines(many, 3), 'line 97\nline 98\nline 99\n');
  assert.equal(tailLines('a\nb', 5), 'a\nb');
  assert.match(jobCardText({ ...running, output: many }), /--- output \(last lines\) ---\nline 60\n/);
});

test('a %%sbatch cell lints like a script: the magic line is neither a command nor an error', () => {
  const cell = '%%sbatch --job-name=x\n#SBATCH --ntasks=1\n#SBATCH --tim=5\necho hi\n#SBATCH -N 1\n';
  const parsed = parseSbatchScript(cell);
  assert.deepEqual(parsed.cellMagic, { start: { line: 0, character: 0 }, end: { line: 0, character: 8 } });
  assert.equal(parsed.firstCommandLine, 3);
  assert.deepEqual(parsed.directives.map((d) => d.line).slice(0, 2), [0, 1]);
  const diagnostics = lintSbatch(cell);
  assert.ok(!diagnostics.some((d) => d.code === 'missing-shebang'), JSON.stringify(diagnostics.map((d) => d.code)));
  const unknown = diagnostics.find((d) => d.range.start.line === 2);
  assert.ok(unknown, 'the misspelt option on line 3 of the cell is reported there');
  assert.ok(diagnostics.some((d) => d.range.start.line === 4), 'the directive after the first command is reported');
  assert.ok(!diagnostics.some((d) => d.range.start.line === 0 && d.severity !== 'information'), JSON.stringify(diagnostics));
  const withShebang = parseSbatchScript('%%sbatch\n#!/bin/bash\n#SBATCH -n 2\nsrun x\n');
  assert.equal(withShebang.shebang?.interpreter, '/bin/bash');
  assert.equal(withShebang.shebang?.range.start.line, 1);
  assert.equal(withShebang.firstCommandLine, 3);
  // The magic's own options are linted as sbatch options, on line 0.
  const magicOptions = lintSbatch('%%sbatch --partiton=debug -n 2\nhostname\n');
  assert.ok(magicOptions.some((d) => d.range.start.line === 0 && /partiton/.test(d.message) && d.range.start.character >= 9), JSON.stringify(magicOptions));
  assert.equal(parseSbatchScript('%%sbatch -n 2 -p debug\nhostname\n').directives.length, 2);
  // A script file that merely contains %%sbatch later is unchanged.
  assert.equal(parseSbatchScript('#!/bin/bash\n%%sbatch\n').firstCommandLine, 1);
  assert.ok(lintSbatch('echo\n').some((d) => d.code === 'missing-shebang'));
});

test('the sample notebook of the demo workspace is the template', () => {
  const sample = readFileSync(path.join(fixtures, 'workspace', 'slurm-notebook.ipynb'), 'utf8');
  assert.equal(sample, templateIpynb());
  const notebook = JSON.parse(sample) as { cells: { source: string[] }[] };
  assert.equal(notebook.cells.length, SLURM_NOTEBOOK_TEMPLATE.length);
  assert.equal(classifyCell(notebook.cells[2].source.join('')).kind, 'sbatch');
  assert.equal(classifyCell(notebook.cells[1].source.join('')).kind, 'magics');
});
