/**
 * Parse time of Slurm outputs at the scale of a large site: a 100,000-job squeue, a 10,000-node
 * `scontrol -o show node` and `sinfo -N`, and a whole refresh (snapshot, usage, queue) built from
 * them. Beside each, the peer approach of JSON-based tools: JSON.parse of the same records as
 * `squeue --json`/`sinfo --json` would carry them (without their much larger envelopes), as a ratio.
 *
 *   node out/bench/parse.js            (HPCW_BENCH_RUNS=5 by default; the median is printed)
 */
import * as os from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseSqueue, FIELD_SEPARATOR } from '../src/core/slurm/squeue';
import { parseScontrolNodes, parseScontrolPartitions } from '../src/core/slurm/scontrol';
import { parseSinfoNodes } from '../src/core/slurm/sinfo';
import { buildClusterState } from '../src/core/slurm/clusterState';
import type { BatchSection } from '../src/core/slurm/batch';

const RUNS = Number(process.env.HPCW_BENCH_RUNS ?? '5') || 5;
const S = FIELD_SEPARATOR;
const JOBS = 100_000;
const NODES = 10_000;
const STATES = ['RUNNING', 'PENDING', 'RUNNING', 'COMPLETING'];

function squeueText(): string {
  const lines: string[] = [];
  for (let i = 0; i < JOBS; i++) {
    const id = 1_000_000 + i;
    const array = i % 10 === 0;
    const state = STATES[i % STATES.length];
    const nodes = state === 'PENDING' ? '' : `cn[${String(i % NODES).padStart(5, '0')}-${String((i % NODES) + 3).padStart(5, '0')}]`;
    lines.push(
      [
        array ? `${id}_${i % 100}` : String(id),
        String(id),
        array ? String(id - (i % 100)) : String(id),
        array ? String(i % 100) : 'N/A',
        `user${i % 500}`,
        state,
        state === 'PENDING' ? 'Priority' : 'None',
        state === 'PENDING' ? '0:00' : '1-02:03:04',
        '2-00:00:00',
        '4',
        '128',
        nodes,
        i % 3 === 0 ? 'gpu' : 'batch',
        '2024-03-01T10:00:00',
        '2024-03-01T10:05:00',
        `proj${i % 50}`,
        'normal',
        `/home/user${i % 500}/project ${i % 7}`,
        `job name ${i}`,
      ].join(S),
    );
  }
  return lines.join('\n') + '\n';
}

function nodeName(i: number): string {
  return `cn${String(i).padStart(5, '0')}`;
}

function scontrolNodesText(): string {
  const lines: string[] = [];
  for (let i = 0; i < NODES; i++) {
    const gpu = i % 10 === 0;
    lines.push(
      `NodeName=${nodeName(i)} Arch=x86_64 CoresPerSocket=64  CPUAlloc=${(i * 7) % 129} CPUEfctv=128 CPUTot=128 CPULoad=${(i % 128).toFixed(2)} ` +
        `AvailableFeatures=epyc,ib ActiveFeatures=epyc,ib Gres=${gpu ? 'gpu:a100:4(S:0-1)' : '(null)'} NodeAddr=${nodeName(i)} NodeHostName=${nodeName(i)} Version=23.02.6 ` +
        `OS=Linux 5.14.0-362.el9.x86_64 #1 SMP PREEMPT_DYNAMIC  RealMemory=512000 AllocMem=${(i * 1000) % 512000} FreeMem=100000 Sockets=2 Boards=1 ` +
        `State=${i % 97 === 0 ? 'DOWN*+DRAIN' : i % 3 === 0 ? 'MIXED' : 'ALLOCATED'} ThreadsPerCore=1 TmpDisk=0 Weight=1 Owner=N/A MCS_label=N/A Partitions=${gpu ? 'gpu,batch' : 'batch'}  ` +
        `BootTime=2024-01-01T00:00:00 SlurmdStartTime=2024-01-01T00:00:00 LastBusyTime=2024-03-01T00:00:00 CfgTRES=cpu=128,mem=500G,billing=128${gpu ? ',gres/gpu=4' : ''} ` +
        `AllocTRES=cpu=${(i * 7) % 129}${gpu ? ',gres/gpu=2' : ''} CapWatts=n/a CurrentWatts=0 AveWatts=0 ExtSensorsJoules=n/s ExtSensorsWatts=0 ExtSensorsTemp=n/s` +
        (i % 97 === 0 ? ' Reason=Not responding [slurm@2024-03-01T10:00:00]' : ''),
    );
  }
  return lines.join('\n') + '\n';
}

function sinfoNodesText(): string {
  const lines: string[] = [];
  for (let i = 0; i < NODES; i++) {
    lines.push([nodeName(i), 'batch', i % 3 === 0 ? 'mixed' : 'allocated', '128', `${(i * 7) % 129}/0/0/128`, '512000', '100000', '12.00', i % 10 === 0 ? 'gpu:a100:4(S:0-1)' : '(null)', 'epyc,ib', 'none'].join(S));
  }
  return lines.join('\n') + '\n';
}

const partitionsText =
  `PartitionName=batch AllowGroups=ALL AllowAccounts=ALL AllowQos=ALL Default=YES MaxNodes=UNLIMITED MaxTime=2-00:00:00 MinNodes=0 Nodes=cn[00000-09999] State=UP TotalCPUs=1280000 TotalNodes=10000\n` +
  `PartitionName=gpu AllowGroups=ALL AllowAccounts=ALL AllowQos=ALL Default=NO MaxNodes=16 MaxTime=1-00:00:00 MinNodes=0 Nodes=${Array.from({ length: NODES / 10 }, (_, k) => nodeName(k * 10)).join(',')} State=UP TotalCPUs=128000 TotalNodes=1000\n`;

function median(fn: () => unknown): number {
  const times: number[] = [];
  fn(); // warm-up
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const sq = squeueText();
const sc = scontrolNodesText();
const si = sinfoNodesText();
// The peer: the same records as JSON (what `squeue --json` / `sinfo --json` based tools parse).
const sqJson = JSON.stringify(parseSqueue(sq));
const scJson = JSON.stringify(parseScontrolNodes(sc));

const section = (name: string, stdout: string): [string, BatchSection] => [name, { name, stdout, stderr: '', code: 0 }];
const sections = new Map<string, BatchSection>([
  section('user', 'user1'),
  section('version', 'slurm 23.02.6'),
  section('partitions', partitionsText),
  section('nodes', sc),
  section('squeue', sq),
]);

const rows: [string, number, number | undefined, string][] = [];
const mb = (s: string): string => `${(Buffer.byteLength(s) / 1e6).toFixed(1)} MB`;
rows.push([`squeue, ${JOBS.toLocaleString('en')} jobs (${mb(sq)})`, median(() => parseSqueue(sq)), median(() => JSON.parse(sqJson)), `JSON ${mb(sqJson)}`]);
rows.push([`scontrol -o show node, ${NODES.toLocaleString('en')} nodes (${mb(sc)})`, median(() => parseScontrolNodes(sc)), median(() => JSON.parse(scJson)), `JSON ${mb(scJson)}`]);
rows.push([`sinfo -N, ${NODES.toLocaleString('en')} nodes (${mb(si)})`, median(() => parseSinfoNodes(si)), undefined, '']);
rows.push(['scontrol -o show partition, 2 partitions over 10,000 nodes', median(() => parseScontrolPartitions(partitionsText)), undefined, '']);
rows.push(['whole refresh: snapshot + usage + queue', median(() => buildClusterState('big', sections, { allUsers: true })), undefined, '']);

console.log(`Parse time, median of ${RUNS} runs (Node ${process.version}; load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} CPUs)\n`);
console.log('| input | ours (ms) | JSON.parse of the same records (ms) | ratio ours/JSON |');
console.log('|---|---:|---:|---:|');
for (const [name, ours, peer, note] of rows) {
  console.log(`| ${name} | ${ours.toFixed(1)} | ${peer === undefined ? '—' : `${peer.toFixed(1)} (${note})`} | ${peer === undefined ? '—' : (ours / peer).toFixed(2)} |`);
}
const worst = Math.max(...rows.map((r) => r[1]));
console.log(`\nslowest: ${worst.toFixed(1)} ms — ${worst < 1000 ? 'well under' : 'OVER'} one second`);
if (worst >= 1000) process.exitCode = 1;
