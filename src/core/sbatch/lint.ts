/**
 * The sbatch linter: what sbatch would reject, what it silently ignores, and (with a cluster
 * snapshot) what the cluster can never run. Codes are documented in README.md.
 */
import type { ClusterSnapshot, NodeInfo, PartitionInfo } from '../cluster/snapshot';
import { compareSlurmVersions, OLDEST_SUPPORTED_SLURM, optionArg, optionArgKinds, type SbatchOption } from './options';
import { parseSbatchScript, type ParsedScript, type SbatchDirective } from './parse';
import { closestNames } from './suggest';
import { effectiveOptions, summarizeRequest } from './summary';
import { range, type Range, type SbatchDiagnostic, type SbatchFix } from './types';
import {
  expandHostlist, parseConstraint, parseGpuCount, parseGres, parseMemory, parseNodeCount,
  parsePositiveInt, parseSlurmTime, validateOptionValue, formatSlurmTime, formatMemory,
} from './values';

export interface LintOptions {
  cluster?: ClusterSnapshot;
  /**
   * Tells whether a directory exists, for --output/--error paths relative to the script's
   * directory. Return undefined when unknown. Without it, no path checks are made.
   */
  directoryExists?: (relativeDir: string) => boolean | undefined;
  /** Add the request summary as an information diagnostic on the first directive (default true). */
  summary?: boolean;
}

/** Values newer than the options themselves (sbatch 22.05 rejects them: recorded). */
const VALUE_SINCE: Record<string, Record<string, string>> = {
  'gres-flags': { 'allow-task-sharing': '23.11', 'multiple-tasks-per-sharing': '24.05', 'one-task-per-sharing': '24.05' },
  exclusive: { topo: '24.11' },
};

/** Options that may be repeated without one overriding the other. */
const CUMULATIVE = new Set(['verbose', 'quiet']);

export function lintSbatch(text: string, options: LintOptions = {}): SbatchDiagnostic[] {
  const parsed = parseSbatchScript(text);
  return lintParsed(parsed, text, options);
}

export function lintParsed(parsed: ParsedScript, text: string, options: LintOptions = {}): SbatchDiagnostic[] {
  const out: SbatchDiagnostic[] = [...parsed.problems];
  checkScriptShape(parsed, text, out);
  checkIgnored(parsed, out);
  const cluster = options.cluster;
  const version = cluster?.slurmVersion;
  for (const d of parsed.directives) checkDirective(d, version, out);
  for (let c = 0; c < parsed.componentCount; c++) {
    checkDuplicates(parsed, c, out);
    checkCombinations(parsed, c, out);
    if (options.directoryExists) checkOutputDirs(parsed, c, options.directoryExists, version, out);
    if (cluster) checkCluster(parsed, c, cluster, out);
  }
  if (options.summary !== false) {
    const first = parsed.directives.find((d) => d.option);
    const summary = summarizeRequest(parsed);
    if (first && summary) {
      out.push({
        range: first.keywordRange,
        severity: 'information',
        code: 'request-summary',
        message: `Request: ${summary.text}${parsed.componentCount > 1 ? ` (component 0 of ${parsed.componentCount})` : ''}`,
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

function checkScriptShape(parsed: ParsedScript, text: string, out: SbatchDiagnostic[]): void {
  if (text.trim() === '') {
    out.push({ range: range(0, 0, 0), severity: 'error', code: 'empty-script', message: 'The script is empty; sbatch rejects it.' });
    return;
  }
  if (parsed.hasBOM) {
    out.push({
      range: range(0, 0, 1),
      severity: 'error',
      code: 'byte-order-mark',
      message: 'The file starts with a UTF-8 byte order mark: sbatch sees no "#!" line and rejects the script, and would read none of its directives. Save without BOM.',
      fixes: [{ title: 'Remove the byte order mark', edits: [{ range: range(0, 0, 1), newText: '' }], preferred: true }],
    });
  } else if (!parsed.shebang && !parsed.cellMagic) {
    out.push({
      range: range(0, 0, firstLineLength(text)),
      severity: 'error',
      code: 'missing-shebang',
      message: 'sbatch rejects scripts whose first line is not "#!" followed by an interpreter, e.g. #!/bin/bash.',
      fixes: [{ title: 'Insert #!/bin/bash', edits: [{ range: range(0, 0, 0), newText: '#!/bin/bash\n' }], preferred: true }],
    });
  }
  if (parsed.hasCRLF) {
    const line = lineOfFirstCR(text);
    out.push({
      range: range(line.line, line.column, line.column + 1),
      severity: 'error',
      code: 'dos-line-endings',
      message: 'The script has DOS line breaks (\\r\\n); sbatch rejects it. Convert it to Unix line endings (LF).',
    });
  }
  if (parsed.hasNul) {
    out.push({ range: range(0, 0, 0), severity: 'error', code: 'nul-character', message: 'The script contains a NUL character; Slurm refuses such scripts.' });
  }
}

function firstLineLength(text: string): number {
  const nl = text.indexOf('\n');
  return nl < 0 ? text.length : nl;
}

function lineOfFirstCR(text: string): { line: number; column: number } {
  const at = text.indexOf('\r\n');
  let line = 0;
  let last = -1;
  for (let i = text.indexOf('\n'); i >= 0 && i < at; i = text.indexOf('\n', i + 1)) {
    line++;
    last = i;
  }
  return { line, column: at - last - 1 };
}

function checkIgnored(parsed: ParsedScript, out: SbatchDiagnostic[]): void {
  for (const ig of parsed.ignored) {
    if (ig.kind === 'after-command' && parsed.hasBOM && parsed.firstCommandLine === 0) continue; // the BOM error says it all
    if (ig.kind === 'after-command') {
      const fixes: SbatchFix[] = [];
      if (parsed.firstCommandLine !== undefined) {
        const moved = ig.text.trimStart();
        fixes.push({
          title: 'Move the directive above the first command',
          preferred: true,
          edits: [
            { range: range(parsed.firstCommandLine, 0, 0), newText: moved + '\n' },
            { range: { start: { line: ig.line, character: 0 }, end: { line: ig.line + 1, character: 0 } }, newText: '' },
          ],
        });
      }
      out.push({
        range: ig.range,
        severity: 'warning',
        code: 'directive-after-command',
        message: `sbatch ignores this directive: directives are only read before the first command (line ${(parsed.firstCommandLine ?? 0) + 1}).`,
        fixes,
      });
    } else if (ig.kind === 'lookalike') {
      out.push({
        range: ig.range,
        severity: 'warning',
        code: 'misspelled-directive',
        message: `"${ig.marker}" is not a directive: sbatch only reads lines that start with exactly "#SBATCH", so this line is an ordinary comment.`,
        fixes: [{ title: 'Change to #SBATCH', edits: [{ range: ig.range, newText: '#SBATCH' }], preferred: true }],
      });
    } else if (ig.kind === 'indented') {
      out.push({
        range: ig.range,
        severity: 'warning',
        code: 'indented-directive',
        message: 'sbatch ignores an indented #SBATCH: the keyword must start in the first column.',
        fixes: [{ title: 'Remove the indentation', edits: [{ range: range(ig.line, 0, ig.range.end.character), newText: '#SBATCH' }], preferred: true }],
      });
    } else {
      out.push({
        range: ig.range,
        severity: 'hint',
        code: 'commented-directive',
        message: `"${ig.marker}" is commented out: sbatch does not read it.`,
        fixes: [{ title: 'Enable the directive', edits: [{ range: ig.range, newText: '#SBATCH' }] }],
      });
    }
  }
}

function checkDirective(d: SbatchDirective, version: string | undefined, out: SbatchDiagnostic[]): void {
  const opt = d.option;
  if (!opt) return;
  const fullName = '--' + opt.long;
  // Without a snapshot the cluster may run any supported version: removed after the oldest one,
  // some cluster still accepts it (a warning); removed before, none does (an error).
  const removedForAll = !!opt.removed && compareSlurmVersions(opt.removed, OLDEST_SUPPORTED_SLURM) <= 0;
  if (opt.removed && (version ? compareSlurmVersions(version, opt.removed) >= 0 : true)) {
    const repl = opt.deprecated?.replacement;
    const soft = !version && !removedForAll;
    out.push({
      range: d.nameRange,
      severity: soft ? 'warning' : 'error',
      code: 'removed-option',
      message: `${d.name} was removed in Slurm ${opt.removed}${soft ? `: sbatch ${opt.removed} and later rejects it` : ''}${repl ? `; use --${repl}` : ''}${opt.deprecated?.note ? ` (${opt.deprecated.note})` : ''}.`,
      ...(repl ? { fixes: [{ title: `Change to --${repl}`, edits: [{ range: d.nameRange, newText: '--' + repl }], preferred: true }] } : {}),
    });
    if (!soft) return;
  }
  if (opt.deprecated) {
    const repl = opt.deprecated.replacement;
    out.push({
      range: d.nameRange,
      severity: 'warning',
      code: 'deprecated-option',
      message: `${d.name} is deprecated${opt.deprecated.since ? ` since Slurm ${opt.deprecated.since}` : ''}${repl ? `; use --${repl}` : ''}.`,
      ...(repl ? { fixes: [{ title: `Change to --${repl}`, edits: [{ range: d.nameRange, newText: '--' + repl }], preferred: true }] } : {}),
    });
  }
  if (opt.since && version && compareSlurmVersions(opt.since, version) > 0) {
    // Between the last recorded version without it and the first with it, nothing is known.
    const unsure = !!opt.sinceAfter && compareSlurmVersions(version.split('.').slice(0, 2).join('.'), opt.sinceAfter) > 0;
    out.push({
      range: d.nameRange,
      severity: unsure ? 'warning' : 'error',
      code: 'option-too-new',
      message: unsure
        ? `${fullName} is in sbatch ${opt.since} but not ${opt.sinceAfter}; this cluster runs ${version}, whose sbatch may reject it.`
        : `${fullName} needs Slurm ${opt.since} or later; this cluster runs ${version}, whose sbatch rejects it.`,
    });
  }
  if (opt.commandLineOnly) {
    out.push({
      range: d.nameRange,
      severity: 'warning',
      code: 'command-line-option',
      message: `${fullName} is meant for the sbatch command line; in a script it changes how every submission of it behaves${opt.long === 'help' || opt.long === 'usage' || opt.long === 'version' ? ' (sbatch prints text and submits nothing)' : ''}.`,
    });
  }
  if (d.abbreviated) {
    out.push({
      range: d.nameRange,
      severity: 'hint',
      code: 'abbreviated-option',
      message: `sbatch accepts "${d.name}" as an abbreviation of ${fullName}, but a new option may make it ambiguous; write it in full.`,
      fixes: [{ title: `Change to ${fullName}`, edits: [{ range: d.nameRange, newText: fullName }], preferred: true }],
    });
  }
  if (d.value !== undefined && version) {
    const newer = VALUE_SINCE[opt.long];
    for (const word of newer ? d.value.split(',') : []) {
      const since = newer?.[word.toLowerCase()];
      if (since && compareSlurmVersions(since, version) > 0) {
        out.push({
          range: d.valueRange ?? d.nameRange,
          severity: 'error',
          code: 'option-too-new',
          message: `${fullName}=${word} needs Slurm ${since} or later; this cluster runs ${version}, whose sbatch rejects it.`,
        });
      }
    }
  }
  // Whether a value may be attached changed between versions (--requeue, --get-user-env): the
  // parser flags a value only where no version takes one.
  const arg = optionArg(opt, version);
  const kinds = optionArgKinds(opt);
  if (d.valueStyle === 'equals' && kinds.length > 1 && (version ? arg === 'none' : kinds.includes('none'))) {
    const change = (opt.argChanges ?? [])[0];
    const gained = opt.arg === 'none';
    const when = gained ? `only from Slurm ${change.since} on` : `only before Slurm ${change.since}`;
    const rejecting = gained ? `sbatch before ${change.since}` : `sbatch ${change.since} and later`;
    out.push({
      range: d.valueRange ?? d.nameRange,
      severity: version ? 'error' : 'warning',
      code: 'unexpected-value',
      message: version
        ? `--${opt.long} takes no value in Slurm ${version} (it takes one ${when}); sbatch rejects "${d.name}=${d.value}".`
        : `--${opt.long} takes a value ${when}; ${rejecting} rejects "${d.name}=${d.value}".`,
    });
  }
  if (d.value !== undefined && arg !== 'none') {
    const p = validateOptionValue(opt, d.value);
    if (p) {
      out.push({ range: d.valueRange ?? d.nameRange, severity: p.severity, code: p.code ?? 'invalid-value', message: p.message });
    }
  }
}

function sameValue(a: SbatchDirective, b: SbatchDirective): boolean {
  return (a.value ?? '') === (b.value ?? '');
}

function checkDuplicates(parsed: ParsedScript, component: number, out: SbatchDiagnostic[]): void {
  const seen = new Map<string, SbatchDirective>();
  for (const d of parsed.directives) {
    if (d.component !== component || !d.option || CUMULATIVE.has(d.option.long)) continue;
    const prev = seen.get(d.option.long);
    if (prev) {
      const differs = !sameValue(prev, d);
      out.push({
        range: d.nameRange,
        severity: differs ? 'warning' : 'hint',
        code: differs ? 'duplicate-option' : 'redundant-option',
        message: differs
          ? `--${d.option.long} is already given on line ${prev.line + 1}${prev.value !== undefined ? ` (${prev.value})` : ''}; sbatch uses the last value${d.value !== undefined ? ` (${d.value})` : ''}.`
          : `--${d.option.long} is repeated (also on line ${prev.line + 1}).`,
      });
    }
    seen.set(d.option.long, d);
  }
}

function conflict(out: SbatchDiagnostic[], d: SbatchDirective, message: string, severity: 'error' | 'warning' = 'error', code = 'conflicting-options'): void {
  out.push({ range: d.nameRange, severity, code, message });
}

function checkCombinations(parsed: ParsedScript, component: number, out: SbatchDiagnostic[]): void {
  const eff = effectiveOptions(parsed, component);
  const has = (n: string) => eff.has(n);
  const get = (n: string) => eff.get(n) as SbatchDirective;
  const mems = ['mem', 'mem-per-cpu', 'mem-per-gpu'].filter(has);
  if (mems.length > 1) {
    const later = mems.map(get).sort((a, b) => a.line - b.line)[1];
    conflict(out, later, `${mems.map((m) => '--' + m).join(' and ')} are mutually exclusive; sbatch stops with an error. Keep one.`);
  }
  if (has('core-spec') && has('thread-spec')) conflict(out, get('thread-spec'), '--core-spec and --thread-spec are mutually exclusive.');
  if (has('hint')) {
    for (const o of ['ntasks-per-core', 'threads-per-core', 'extra-node-info']) {
      if (has(o)) conflict(out, get('hint'), `--hint and --${o} are documented as mutually exclusive; sbatch 22.05 accepts both and one of them is not applied.`, 'warning');
    }
  }
  if (has('cpus-per-gpu') && has('cpus-per-task')) {
    conflict(out, get('cpus-per-gpu'), '--cpus-per-gpu and --cpus-per-task are mutually exclusive.');
  }
  if (has('distribution') && /^arbitrary/i.test(get('distribution').value ?? '') && !has('nodelist') && !has('nodefile')) {
    conflict(out, get('distribution'), 'With --distribution=arbitrary sbatch requires a node list (-w/--nodelist or --nodefile).');
  }
  if (has('ntasks-per-gpu') && !['gpus', 'gpus-per-node', 'gpus-per-socket', 'gpus-per-task', 'gres', 'nodes', 'ntasks'].some(has)) {
    conflict(out, get('ntasks-per-gpu'), '--ntasks-per-gpu needs a GPU request (--gpus...) or a node or task count; sbatch rejects it alone.');
  }
  if (has('gpus-per-task') && !has('ntasks') && !has('gpus')) {
    conflict(out, get('gpus-per-task'), '--gpus-per-task needs -n/--ntasks or --gpus (Slurm rejects it otherwise).');
  }
  if (has('exclusive') && has('oversubscribe')) {
    conflict(out, get('oversubscribe'), '--exclusive and --oversubscribe contradict each other; the job is exclusive.', 'warning');
  }
  if (has('requeue') && has('no-requeue')) {
    const [a, b] = [get('requeue'), get('no-requeue')].sort((x, y) => x.line - y.line);
    conflict(out, b, `--requeue and --no-requeue contradict each other; the last one (${b.name}) wins.`, 'warning');
    void a;
  }
  if (has('time') && has('time-min')) {
    const t = parseSlurmTime(get('time').value ?? '');
    const tm = parseSlurmTime(get('time-min').value ?? '');
    if (t !== undefined && tm !== undefined && tm > t) {
      conflict(out, get('time-min'), `--time-min (${formatSlurmTime(tm)}) is longer than --time (${formatSlurmTime(t)}); Slurm rejects the job ("Invalid time-min specification").`);
    }
  }
  if (has('nodes') && has('ntasks')) {
    const n = parseNodeCount(get('nodes').value ?? '');
    const t = parsePositiveInt(get('ntasks').value ?? '');
    if (n && t !== undefined && n.min > t) {
      conflict(out, get('nodes'), `${n.min} nodes for ${t} task${t === 1 ? '' : 's'}: Slurm cannot place fewer than one task per node and lowers the node count to ${t}.`, 'warning');
    }
  }
  if (has('mail-user') && !has('mail-type')) {
    out.push({ range: get('mail-user').nameRange, severity: 'information', code: 'mail-user-without-type', message: '--mail-user without --mail-type sends no mail; add e.g. --mail-type=END,FAIL.' });
  }
  if (has('dependency') && /singleton/i.test(get('dependency').value ?? '') && !has('job-name')) {
    out.push({ range: get('dependency').valueRange ?? get('dependency').nameRange, severity: 'information', code: 'singleton-without-name', message: 'singleton waits for earlier jobs with the same name and user; without --job-name the name is the script\'s file name.' });
  }
}

/** Recorded: slurmstepd 24.11 and 26.05 create a missing output directory; 22.05 fails the job. */
const CREATES_OUTPUT_DIRS = '24.11';

function checkOutputDirs(parsed: ParsedScript, component: number, exists: (dir: string) => boolean | undefined, version: string | undefined, out: SbatchDiagnostic[]): void {
  if (version && compareSlurmVersions(version, CREATES_OUTPUT_DIRS) >= 0) return;
  const eff = effectiveOptions(parsed, component);
  if (eff.has('chdir')) return; // relative paths are then relative to a directory we cannot see
  for (const name of ['output', 'error', 'input']) {
    const d = eff.get(name);
    const v = d?.value;
    if (!d || !v || v.startsWith('/') || v.startsWith('~') || v.includes('\\')) continue;
    const slash = v.lastIndexOf('/');
    if (slash <= 0) continue;
    const dir = v.slice(0, slash);
    if (dir.includes('%') || dir.includes('$')) continue;
    if (exists(dir) === false) {
      out.push({
        range: d.valueRange ?? d.nameRange,
        severity: 'warning',
        code: 'output-dir-missing',
        message: `The directory "${dir}" may not exist (it is not next to this script). Slurm ${version ?? `before ${CREATES_OUTPUT_DIRS}`} does not create it: the job fails at start and its ${name} is lost. Create it first (mkdir -p ${dir}).`,
      });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Cluster-aware checks

function checkCluster(parsed: ParsedScript, component: number, cluster: ClusterSnapshot, out: SbatchDiagnostic[]): void {
  const eff = effectiveOptions(parsed, component);
  const partNames = cluster.partitions.map((p) => p.name);
  const nodeByName = new Map(cluster.nodes.map((n) => [n.name, n]));
  let partitions: PartitionInfo[] = [];
  const pd = eff.get('partition');
  if (pd?.value) {
    let offset = 0;
    for (const name of pd.value.split(',')) {
      const p = cluster.partitions.find((x) => x.name === name);
      if (p) {
        partitions.push(p);
        if (['down', 'inactive', 'drain'].includes(p.state.toLowerCase())) {
          out.push({ range: pd.valueRange ?? pd.nameRange, severity: 'warning', code: 'partition-unavailable', message: `Partition "${name}" is ${p.state}: jobs can be submitted but will not start until it is up.` });
        }
      } else if (name) {
        const sug = closestNames(name, partNames, 3);
        const r = pd.valueRange && pd.valueStyle !== 'none' && !/["'\\]/.test(name)
          ? range(pd.valueRange.start.line, pd.valueRange.start.character + offset, pd.valueRange.start.character + offset + name.length)
          : pd.valueRange ?? pd.nameRange;
        out.push({
          range: r,
          severity: 'error',
          code: 'unknown-partition',
          message: `Cluster "${cluster.cluster}" has no partition "${name}"${sug.length ? `; did you mean ${sug.map((s) => `"${s}"`).join(' or ')}?` : ''} Partitions: ${partNames.join(', ')}.`,
          fixes: sug.map((s, i) => ({ title: `Change to ${s}`, edits: [{ range: r, newText: s }], ...(i === 0 ? { preferred: true } : {}) })),
        });
      }
      offset += name.length + 1;
    }
    if (partitions.length === 0) return; // nothing sensible to compare against
  } else {
    const def = cluster.partitions.find((p) => p.isDefault);
    if (def) partitions = [def];
  }

  const nodesOf = (p: PartitionInfo): NodeInfo[] => p.nodes.map((n) => nodeByName.get(n)).filter((n): n is NodeInfo => !!n);
  const where = partitions.map((p) => p.name).join(',');
  const anchor = (name: string) => eff.get(name) as SbatchDirective;
  const rangeOf = (d: SbatchDirective): Range => d.valueRange ?? d.nameRange;
  // A check passes when at least one of the listed partitions can satisfy it.
  const anyPartition = (ok: (p: PartitionInfo, nodes: NodeInfo[]) => boolean) => partitions.some((p) => ok(p, nodesOf(p)));

  const td = eff.get('time');
  const time = td?.value !== undefined ? parseSlurmTime(td.value) : undefined;
  if (td && time !== undefined) {
    const ok = anyPartition((p) => p.maxTimeMinutes === null || p.maxTimeMinutes === undefined || time <= p.maxTimeMinutes);
    if (!ok) {
      const limits = partitions.map((p) => `${p.name}: ${p.maxTimeMinutes === null ? 'UNLIMITED' : formatSlurmTime(p.maxTimeMinutes)}`).join(', ');
      out.push({
        range: rangeOf(td),
        severity: 'error',
        code: 'time-exceeds-partition',
        message: `Time limit ${formatSlurmTime(time)} is above the partition's MaxTime (${limits}). Slurm accepts the job but it never starts (reason PartitionTimeLimit).`,
      });
    }
  }

  const nd = eff.get('nodes');
  const nc = nd?.value ? parseNodeCount(nd.value) : undefined;
  if (nd && nc) {
    const ok = anyPartition((p) => nc.min <= p.totalNodes && (p.maxNodes === null || p.maxNodes === undefined || nc.min <= p.maxNodes));
    if (!ok) {
      out.push({ range: rangeOf(nd), severity: 'error', code: 'too-many-nodes', message: `${nc.min} nodes requested, but partition ${where} has ${partitions.map((p) => p.maxNodes ?? p.totalNodes).join('/')} at most.` });
    }
  }

  const summary = summarizeRequest(parsed, component);
  const nodesRequested = nc?.min;
  if (summary) {
    const cpt = summary.cpusPerTask;
    const perNode = eff.get('ntasks-per-node')?.value ? parsePositiveInt(eff.get('ntasks-per-node')?.value as string) : undefined;
    const cd = eff.get('cpus-per-task') ?? eff.get('ntasks-per-node') ?? eff.get('ntasks') ?? eff.get('nodes');
    if (cd) {
      const maxNodeCpus = (ns: NodeInfo[]) => ns.reduce((m, n) => Math.max(m, n.cpus), 0);
      if (!anyPartition((_p, ns) => cpt <= maxNodeCpus(ns))) {
        out.push({ range: rangeOf(eff.get('cpus-per-task') ?? cd), severity: 'error', code: 'too-many-cpus', message: `${cpt} CPUs per task, but no node of partition ${where} has more than ${Math.max(...partitions.map((p) => maxNodeCpus(nodesOf(p))))} CPUs.` });
      } else if (perNode !== undefined && !anyPartition((_p, ns) => perNode * cpt <= maxNodeCpus(ns))) {
        out.push({ range: rangeOf(eff.get('ntasks-per-node') as SbatchDirective), severity: 'error', code: 'too-many-cpus', message: `${perNode} tasks × ${cpt} CPUs per node, but the nodes of partition ${where} have at most ${Math.max(...partitions.map((p) => maxNodeCpus(nodesOf(p))))} CPUs.` });
      } else if (!eff.has('overcommit') && !anyPartition((p) => summary.cpus <= (nodesRequested !== undefined ? Math.min(p.totalCpus, nodesRequested * maxNodeCpus(nodesOf(p))) : p.totalCpus))) {
        out.push({ range: rangeOf(eff.get('ntasks') ?? cd), severity: 'error', code: 'too-many-cpus', message: `${summary.cpus} CPUs requested in total, but partition ${where} has ${partitions.map((p) => p.totalCpus).join('/')}${nodesRequested !== undefined ? ` (${nodesRequested} node${nodesRequested === 1 ? '' : 's'} requested)` : ''}.` });
      }
    }
  }

  const md = eff.get('mem');
  const mem = md?.value ? parseMemory(md.value) : undefined;
  if (md && mem !== undefined && mem > 0) {
    const maxMem = (ns: NodeInfo[]) => ns.reduce((m, n) => Math.max(m, n.realMemoryMiB), 0);
    if (!anyPartition((p, ns) => mem <= maxMem(ns) && (p.maxMemPerNodeMiB == null || mem <= p.maxMemPerNodeMiB))) {
      out.push({ range: rangeOf(md), severity: 'error', code: 'too-much-memory', message: `--mem=${md.value} (${formatMemory(mem)}) per node, but the nodes of partition ${where} have at most ${formatMemory(Math.max(...partitions.map((p) => maxMem(nodesOf(p)))))}.` });
    }
  }
  const mcd = eff.get('mem-per-cpu');
  const mpc = mcd?.value ? parseMemory(mcd.value) : undefined;
  if (mcd && mpc !== undefined && summary) {
    const perNodeCpus = Math.min(summary.cpus, summary.cpusPerTask * (eff.get('ntasks-per-node')?.value ? (parsePositiveInt(eff.get('ntasks-per-node')?.value as string) ?? 1) : 1));
    const need = mpc * Math.max(1, perNodeCpus);
    if (!anyPartition((_p, ns) => ns.some((n) => need <= n.realMemoryMiB))) {
      out.push({ range: rangeOf(mcd), severity: 'error', code: 'too-much-memory', message: `--mem-per-cpu=${mcd.value} needs ${formatMemory(need)} on a node, but the nodes of partition ${where} have at most ${formatMemory(Math.max(0, ...partitions.flatMap((p) => nodesOf(p).map((n) => n.realMemoryMiB))))}.` });
    }
  }

  // GRES and GPUs.
  const allGres = new Map<string, number>(); // name or name:type -> max per node
  for (const p of partitions) {
    for (const n of nodesOf(p)) {
      for (const g of n.gres) {
        allGres.set(g.name, Math.max(allGres.get(g.name) ?? 0, g.count));
        if (g.type) allGres.set(`${g.name}:${g.type}`, Math.max(allGres.get(`${g.name}:${g.type}`) ?? 0, g.count));
      }
    }
  }
  const gd = eff.get('gres');
  if (gd?.value) {
    const r = parseGres(gd.value);
    if (Array.isArray(r)) {
      for (const g of r) {
        const key = g.type ? `${g.name}:${g.type}` : g.name;
        const max = allGres.get(key);
        if (max === undefined) {
          const known = [...allGres.keys()];
          out.push({ range: rangeOf(gd), severity: 'error', code: 'unknown-gres', message: `No node of partition ${where} has GRES "${key}"${known.length ? ` (available: ${known.join(', ')})` : ' (the partition has no GRES)'}.` });
        } else if (g.count > max) {
          out.push({ range: rangeOf(gd), severity: 'error', code: 'too-many-gpus', message: `${g.count} × ${key} per node requested, but nodes of partition ${where} have at most ${max}.` });
        }
      }
    }
  }
  for (const name of ['gpus', 'gpus-per-node', 'gpus-per-task', 'gpus-per-socket']) {
    const d = eff.get(name);
    const gc = d?.value ? parseGpuCount(d.value) : undefined;
    if (!d || !gc) continue;
    const key = gc.type ? `gpu:${gc.type}` : 'gpu';
    const perNodeMax = allGres.get(key);
    if (perNodeMax === undefined) {
      out.push({ range: rangeOf(d), severity: 'error', code: 'unknown-gres', message: `No node of partition ${where} has GPUs${gc.type ? ` of type ${gc.type}` : ''}.` });
      continue;
    }
    if (name === 'gpus-per-node' && gc.count > perNodeMax) {
      out.push({ range: rangeOf(d), severity: 'error', code: 'too-many-gpus', message: `${gc.count} GPUs per node requested, but nodes of partition ${where} have at most ${perNodeMax}.` });
    }
    if (name === 'gpus') {
      const total = partitions.reduce((s, p) => Math.max(s, nodesOf(p).reduce((t, n) => t + n.gres.filter((g) => g.name === 'gpu' && (!gc.type || g.type === gc.type)).reduce((u, g) => u + g.count, 0), 0)), 0);
      if (gc.count > total) out.push({ range: rangeOf(d), severity: 'error', code: 'too-many-gpus', message: `${gc.count} GPUs requested, but partition ${where} has ${total} in total.` });
    }
  }

  // Features: first the nodes of the chosen partitions, then the whole cluster for the message.
  const features = new Set(cluster.nodes.flatMap((n) => n.features));
  const partFeatures = new Set(partitions.flatMap((p) => nodesOf(p).flatMap((n) => n.features)));
  for (const name of ['constraint', 'prefer', 'batch']) {
    const d = eff.get(name);
    if (!d?.value) continue;
    const r = parseConstraint(d.value);
    if ('error' in r) continue;
    for (const f of r.features) {
      if (partFeatures.has(f) || (partitions.length === 0 && features.has(f))) continue;
      let message: string;
      if (features.has(f)) {
        const holders = cluster.nodes.filter((n) => n.features.includes(f));
        const parts = [...new Set(holders.flatMap((n) => n.partitions))];
        message = `No node of partition ${where} has the feature "${f}" (nodes ${holders.slice(0, 5).map((n) => n.name).join(', ')} have it${parts.length ? `, in partition ${parts.join(', ')}` : ''}).`;
      } else {
        const sug = closestNames(f, [...features], 2);
        message = `No node of cluster "${cluster.cluster}" has the feature "${f}"${sug.length ? `; did you mean ${sug.map((s) => `"${s}"`).join(' or ')}?` : '.'}${features.size ? ` Features: ${[...features].join(', ')}.` : ' The cluster defines no features.'}`;
      }
      out.push({ range: rangeOf(d), severity: name === 'prefer' ? 'warning' : 'error', code: 'unknown-feature', message });
    }
  }

  // Node names.
  for (const name of ['nodelist', 'exclude']) {
    const d = eff.get(name);
    if (!d?.value || d.value.includes('/')) continue;
    const names = expandHostlist(d.value, 10000);
    if (!names) continue;
    const unknown = names.filter((n) => !nodeByName.has(n));
    if (unknown.length) {
      out.push({
        range: rangeOf(d),
        severity: 'error',
        code: 'unknown-node',
        message: `Cluster "${cluster.cluster}" has no node${unknown.length > 1 ? 's' : ''} ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ', ...' : ''}.`,
      });
    } else if (name === 'nodelist' && partitions.length && !names.every((n) => partitions.some((p) => p.nodes.includes(n)))) {
      out.push({ range: rangeOf(d), severity: 'error', code: 'node-not-in-partition', message: `Some of ${d.value} are not in partition ${where}.` });
    }
  }

  const qd = eff.get('qos');
  if (qd?.value && cluster.qos && cluster.qos.length && !cluster.qos.includes(qd.value)) {
    const sug = closestNames(qd.value, cluster.qos, 2);
    out.push({ range: rangeOf(qd), severity: 'warning', code: 'unknown-qos', message: `QOS "${qd.value}" is not among ${cluster.qos.join(', ')}${sug.length ? `; did you mean "${sug[0]}"?` : '.'}` });
  }
  const ad = eff.get('account');
  if (ad?.value && cluster.accounts && cluster.accounts.length && !cluster.accounts.includes(ad.value)) {
    const sug = closestNames(ad.value, cluster.accounts, 2);
    out.push({ range: rangeOf(ad), severity: 'warning', code: 'unknown-account', message: `Account "${ad.value}" is not among your accounts (${cluster.accounts.join(', ')})${sug.length ? `; did you mean "${sug[0]}"?` : '.'}` });
  }
  void anchor;
}

/** Re-exported for the server: the option a directive refers to. */
export type { SbatchOption };
