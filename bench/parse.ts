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

/**
 * Median CPU time (user + system of this process) in ms: on a shared machine the wall clock also
 * counts the time spent waiting for a core, which says nothing about the parser. Wall times are
 * kept too and printed beside.
 */
function median(fn: () => unknown): number {
  const cpu: number[] = [];
  const walls: number[] = [];
  fn(); // warm-up
  for (let i = 0; i < RUNS; i++) {
    const w = performance.now();
    const c = process.cpuUsage();
    fn();
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1000);
    walls.push(performance.now() - w);
  }
  cpu.sort((a, b) => a - b);
  walls.sort((a, b) => a - b);
  lastWall = walls[Math.floor(walls.length / 2)];
  return cpu[Math.floor(cpu.length / 2)];
}
let lastWall = 0;

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

const rows: [string, number, number | undefined, string, number][] = [];
/** Times ours (CPU and wall) then the peer (CPU). */
function row(name: string, ours: () => unknown, peer: (() => unknown) | undefined, note: string): void {
  const oursCpu = median(ours);
  const oursWall = lastWall;
  rows.push([name, oursCpu, peer ? median(peer) : undefined, note, oursWall]);
}
const mb = (s: string): string => `${(Buffer.byteLength(s) / 1e6).toFixed(1)} MB`;
row(`squeue, ${JOBS.toLocaleString('en')} jobs (${mb(sq)})`, () => parseSqueue(sq), () => JSON.parse(sqJson), `JSON ${mb(sqJson)}`);
row(`scontrol -o show node, ${NODES.toLocaleString('en')} nodes (${mb(sc)})`, () => parseScontrolNodes(sc), () => JSON.parse(scJson), `JSON ${mb(scJson)}`);
row(`sinfo -N, ${NODES.toLocaleString('en')} nodes (${mb(si)})`, () => parseSinfoNodes(si), undefined, '');
row('scontrol -o show partition, 2 partitions over 10,000 nodes', () => parseScontrolPartitions(partitionsText), undefined, '');
row('whole refresh: snapshot + usage + queue', () => buildClusterState('big', sections, { allUsers: true }), undefined, '');

console.log(`Parse time, median of ${RUNS} runs (Node ${process.version}; load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} CPUs)\n`);
console.log('| input | ours, CPU ms (wall ms) | JSON.parse of the same records, CPU ms | ratio ours/JSON |');
console.log('|---|---:|---:|---:|');
for (const [name, ours, peer, note, oursWall] of rows) {
  console.log(`| ${name} | ${ours.toFixed(0)} (${oursWall.toFixed(0)}) | ${peer === undefined ? '—' : `${peer.toFixed(0)} (${note})`} | ${peer === undefined ? '—' : (ours / peer).toFixed(2)} |`);
}
const worst = Math.max(...rows.map((r) => r[1]));
console.log(`\nslowest: ${worst.toFixed(0)} ms of CPU — ${worst < 1000 ? 'under' : 'OVER'} one second`);
if (worst >= 1000) process.exitCode = 1;
