/** The resource request of a script in numbers: nodes × tasks × CPUs, memory, time, core-hours. */
import type { ParsedScript, SbatchDirective } from './parse';
import { formatMemory, formatSlurmTime, parseGpuCount, parseGres, parseMemory, parseNodeCount, parsePositiveInt, parseSlurmTime } from './values';

export interface RequestSummary {
  nodes?: number;
  tasks: number;
  cpusPerTask: number;
  /** Total CPUs requested (tasks × cpus per task). */
  cpus: number;
  /** Memory in MiB, as requested: per node (--mem), per CPU or per GPU. */
  memory?: { mib: number; per: 'node' | 'cpu' | 'gpu' };
  /** Total memory of the job in MiB when it can be computed. */
  totalMemoryMiB?: number;
  gpus?: number;
  /** Time limit in minutes (undefined: the partition's default; Infinity: unlimited). */
  timeMinutes?: number;
  coreHours?: number;
  arrayTasks?: number;
  partition?: string;
  /** One line for a code lens or hover. */
  text: string;
}

/**
 * The last value given for each option in one component (sbatch: the last one wins). A
 * heterogeneous component starts from the options of the components before it (sbatch 22.05).
 */
export function effectiveOptions(parsed: ParsedScript, component = 0): Map<string, SbatchDirective> {
  const map = new Map<string, SbatchDirective>();
  for (const d of parsed.directives) {
    if (d.component <= component && d.option) map.set(d.option.long, d);
  }
  return map;
}

export function summarizeRequest(parsed: ParsedScript, component = 0): RequestSummary | undefined {
  if (!parsed.directives.some((d) => d.component === component && d.option)) return undefined;
  const eff = effectiveOptions(parsed, component);
  const val = (name: string) => eff.get(name)?.value;
  const nodeCount = val('nodes') !== undefined ? parseNodeCount(val('nodes') as string) : undefined;
  let nodes = nodeCount?.min;
  const ntasks = val('ntasks') !== undefined ? parsePositiveInt(val('ntasks') as string) : undefined;
  const perNode = val('ntasks-per-node') !== undefined ? parsePositiveInt(val('ntasks-per-node') as string) : undefined;
  let tasks: number;
  if (ntasks !== undefined) tasks = ntasks;
  else if (perNode !== undefined) tasks = perNode * (nodes ?? 1);
  else tasks = nodes ?? 1;
  if (nodes === undefined && perNode !== undefined && ntasks !== undefined) nodes = Math.ceil(ntasks / perNode);
  const cpusPerTask = (val('cpus-per-task') !== undefined ? parsePositiveInt(val('cpus-per-task') as string) : undefined) ?? 1;
  const cpus = tasks * cpusPerTask;

  let gpus: number | undefined;
  const g = val('gpus');
  if (g !== undefined) gpus = parseGpuCount(g)?.count;
  const gpn = val('gpus-per-node');
  if (gpus === undefined && gpn !== undefined) gpus = (parseGpuCount(gpn)?.count ?? 0) * (nodes ?? 1);
  const gpt = val('gpus-per-task');
  if (gpus === undefined && gpt !== undefined) gpus = (parseGpuCount(gpt)?.count ?? 0) * tasks;
  const gres = val('gres');
  if (gpus === undefined && gres !== undefined) {
    const r = parseGres(gres);
    if (Array.isArray(r)) {
      const n = r.filter((x) => x.name === 'gpu').reduce((s, x) => s + x.count, 0);
      if (n > 0) gpus = n * (nodes ?? 1);
    }
  }

  let memory: RequestSummary['memory'];
  let totalMemoryMiB: number | undefined;
  const mem = val('mem');
  const mpc = val('mem-per-cpu');
  const mpg = val('mem-per-gpu');
  if (mem !== undefined && parseMemory(mem) !== undefined) {
    memory = { mib: parseMemory(mem) as number, per: 'node' };
    if (memory.mib > 0) totalMemoryMiB = memory.mib * (nodes ?? 1);
  } else if (mpc !== undefined && parseMemory(mpc) !== undefined) {
    memory = { mib: parseMemory(mpc) as number, per: 'cpu' };
    totalMemoryMiB = memory.mib * cpus;
  } else if (mpg !== undefined && parseMemory(mpg) !== undefined) {
    memory = { mib: parseMemory(mpg) as number, per: 'gpu' };
    if (gpus !== undefined) totalMemoryMiB = memory.mib * gpus;
  }

  const t = val('time');
  const timeMinutes = t !== undefined ? parseSlurmTime(t) : undefined;
  const coreHours = timeMinutes !== undefined && Number.isFinite(timeMinutes) ? (cpus * timeMinutes) / 60 : undefined;
  const array = val('array');
  let arrayTasks: number | undefined;
  if (array !== undefined) {
    let count = 0;
    for (const part of array.split('%')[0].split(',')) {
      const m = /^(\d+)(?:-(\d+)(?::(\d+))?)?$/.exec(part);
      if (!m) { count = 0; break; }
      count += m[2] === undefined ? 1 : Math.max(0, Math.floor((Number(m[2]) - Number(m[1])) / Number(m[3] ?? 1)) + 1);
    }
    if (count > 0) arrayTasks = count;
  }

  const parts: string[] = [];
  const nodeText = nodeCount?.max !== undefined ? `${nodeCount.min}-${nodeCount.max} nodes` : nodes !== undefined ? `${nodes} node${nodes === 1 ? '' : 's'}` : undefined;
  const shape = [nodeText, `${tasks} task${tasks === 1 ? '' : 's'}`, `${cpusPerTask} CPU${cpusPerTask === 1 ? '' : 's'}/task`].filter(Boolean).join(' × ');
  parts.push(`${shape} = ${cpus} CPU${cpus === 1 ? '' : 's'}`);
  if (gpus !== undefined) parts.push(`${gpus} GPU${gpus === 1 ? '' : 's'}`);
  if (memory) parts.push(memory.mib === 0 && memory.per === 'node' ? 'all memory of each node' : `${formatMemory(memory.mib)}/${memory.per}`);
  parts.push(timeMinutes === undefined ? 'partition default time' : formatSlurmTime(timeMinutes));
  let text = parts.join(', ');
  if (coreHours !== undefined) {
    text += ` → ${formatHours(coreHours)} core-hours`;
    if (arrayTasks !== undefined && arrayTasks > 1) text += ` per array task (${formatHours(coreHours * arrayTasks)} for ${arrayTasks} tasks)`;
  }
  const partition = val('partition');
  return {
    ...(nodes !== undefined ? { nodes } : {}),
    tasks,
    cpusPerTask,
    cpus,
    ...(memory ? { memory } : {}),
    ...(totalMemoryMiB !== undefined ? { totalMemoryMiB } : {}),
    ...(gpus !== undefined ? { gpus } : {}),
    ...(timeMinutes !== undefined ? { timeMinutes } : {}),
    ...(coreHours !== undefined ? { coreHours } : {}),
    ...(arrayTasks !== undefined ? { arrayTasks } : {}),
    ...(partition !== undefined ? { partition } : {}),
    text,
  };
}

function formatHours(h: number): string {
  return h >= 100 ? h.toFixed(0) : h >= 10 ? h.toFixed(1) : h.toFixed(2);
}
