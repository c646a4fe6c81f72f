/**
 * "Will it start?": Slurm's `sbatch --test-only` answer combined with the cluster-aware lint
 * checks, because Slurm accepts jobs that can never run — a time above the partition's MaxTime
 * (the job pends forever, reason PartitionTimeLimit) or an output folder that does not exist (the
 * job fails at launch) both get "Job N to start at ...". Shared by the code lens on the first
 * `#SBATCH` line and "Validate on cluster". Pure.
 */
import type { SbatchDiagnostic } from '../sbatch/types';
import type { TestOnlyAnswer } from './sbatchAnswers';
import { expandHostlist } from './units';

export type StartVerdictKind = 'starts-now' | 'expected' | 'never-starts' | 'fails-at-launch' | 'refused';

export interface StartVerdict {
  kind: StartVerdictKind;
  /** One line: the code lens title, the notification. */
  text: string;
  /** Why, in full (tooltip, notification detail). */
  detail: string;
  /** Slurm's answer when it accepted: where and when. */
  nodes?: string;
  nodeList: string[];
  partition?: string;
  startTime?: string;
  processors?: number;
  /** The lint findings that overrule Slurm's "would start". */
  problems: { code: string; message: string }[];
}

/** Lint codes meaning: Slurm accepts the job, but it can never start. */
const NEVER_STARTS = new Set([
  'time-exceeds-partition',
  'partition-unavailable',
  'too-many-nodes',
  'too-many-cpus',
  'too-much-memory',
  'too-many-gpus',
  'unknown-gres',
  'unknown-feature',
  'unknown-node',
  'node-not-in-partition',
  'unknown-partition',
]);

/** Lint codes meaning: the job starts, and fails at once. */
const FAILS_AT_LAUNCH = new Set(['output-dir-missing']);

/** Seconds of slack under which "to start at" counts as now (clocks, scheduling passes). */
const NOW_SLACK_S = 90;

/** `2026-12-01T20:12:32` as printed by the cluster (its local time, no zone) → Date. */
export function parseSlurmTimestamp(text: string | undefined): Date | undefined {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)$/.exec(text ?? '');
  if (!m) return undefined;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** "2 h 10 min", "5 min", "1 d 3 h", "less than a minute". */
export function formatWait(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return 'less than a minute';
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return h > 0 ? `${d} d ${h} h` : `${d} d`;
  if (h > 0) return m > 0 ? `${h} h ${m} min` : `${h} h`;
  return `${m} min`;
}

function clock(d: Date, now: Date): string {
  const hm = `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  const sameDay = d.getFullYear() === now.getFullYear() && d.getMonth() === now.getMonth() && d.getDate() === now.getDate();
  if (sameDay) return hm;
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getMonth()];
  return `${month} ${d.getDate()} ${hm}`;
}

function processorsOf(answer: TestOnlyAnswer): number | undefined {
  const m = /using (\d+) processors?/.exec(answer.summary ?? '');
  return m ? Number(m[1]) : undefined;
}

/** Combines `--test-only`'s answer with the lint diagnostics of the same script (with the cluster snapshot). */
export function startVerdict(answer: TestOnlyAnswer, diagnostics: readonly Pick<SbatchDiagnostic, 'code' | 'message' | 'severity'>[], now: Date): StartVerdict {
  const where = answer.nodes ? ` on ${answer.nodes}${answer.partition ? ` (${answer.partition})` : ''}` : '';
  const base = {
    nodes: answer.nodes,
    nodeList: expandHostlist(answer.nodes),
    partition: answer.partition,
    startTime: answer.startTime,
    processors: processorsOf(answer),
  };
  const clusterErrors = diagnostics.filter((d) => NEVER_STARTS.has(d.code) && (d.severity === 'error' || d.code === 'partition-unavailable'));
  if (!answer.ok) {
    const reason = answer.errors.join('; ') || 'sbatch refused the script';
    const why = clusterErrors.map((d) => d.message);
    return {
      ...base,
      kind: 'refused',
      text: `Cannot run: ${why[0] ?? reason}`,
      detail: [`Slurm: ${reason}`, ...why].join('\n'),
      problems: clusterErrors.map((d) => ({ code: d.code, message: d.message })),
    };
  }
  if (clusterErrors.length > 0) {
    return {
      ...base,
      kind: 'never-starts',
      text: `Accepted, but never starts: ${clusterErrors[0].message}`,
      detail: [`Slurm would accept it (${answer.summary ?? 'no start time given'}), but it can never start:`, ...clusterErrors.map((d) => `• ${d.message}`)].join('\n'),
      problems: clusterErrors.map((d) => ({ code: d.code, message: d.message })),
    };
  }
  const launch = diagnostics.filter((d) => FAILS_AT_LAUNCH.has(d.code));
  if (launch.length > 0) {
    return {
      ...base,
      kind: 'fails-at-launch',
      text: `Accepted, but fails at launch: ${launch[0].message}`,
      detail: [`Slurm would accept it (${answer.summary ?? 'no start time given'}), but the job fails as soon as it starts:`, ...launch.map((d) => `• ${d.message}`)].join('\n'),
      problems: launch.map((d) => ({ code: d.code, message: d.message })),
    };
  }
  const start = parseSlurmTimestamp(answer.startTime);
  const wait = start ? (start.getTime() - now.getTime()) / 1000 : 0;
  if (!start || wait <= NOW_SLACK_S) {
    return { ...base, kind: 'starts-now', text: `Starts now${where}`, detail: answer.summary ?? 'Slurm would start it now.', problems: [] };
  }
  return {
    ...base,
    kind: 'expected',
    text: `Expected start ${clock(start, now)} (in ${formatWait(wait)})${where}`,
    detail: `${answer.summary ?? ''}\nThe estimate comes from the jobs' time limits: it moves earlier when jobs end early.`.trim(),
    problems: [],
  };
}

/**
 * What identifies a request for caching the answer: the cluster and the script's directive
 * lines (what sbatch reads), not its body: editing the commands does not ask again.
 */
export function requestKey(cluster: string, scriptText: string): string {
  const lines = scriptText.split('\n');
  const key = [cluster, lines[0] ?? ''];
  for (const line of lines) if (/^\s*#\s*SBATCH/i.test(line)) key.push(line.trimEnd());
  return key.join('\n');
}

/** The 0-based line of the first `#SBATCH` directive, where the lens goes; undefined when none. */
export function firstDirectiveLine(scriptText: string): number | undefined {
  const lines = scriptText.split('\n');
  for (let i = 0; i < lines.length; i++) if (/^#SBATCH\s/.test(lines[i])) return i;
  return undefined;
}
