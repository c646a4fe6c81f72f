/**
 * Cluster-aware checks (with a cluster snapshot): what the cluster can never run or does not
 * know — partitions, time and size limits, GRES and GPUs, features, node names, QOS, accounts.
 */
import type { ClusterSnapshot, NodeInfo, PartitionInfo } from '../cluster/snapshot';
import type { ParsedScript, SbatchDirective } from './parse';
import { closestNames } from './suggest';
import { effectiveOptions, summarizeRequest } from './summary';
import { range, type Range, type SbatchDiagnostic } from './types';
import {
  expandHostlist, formatMemory, formatSlurmTime, parseConstraint, parseGpuCount, parseGres, parseMemory,
  parseNodeCount, parsePositiveInt, parseSlurmTime,
} from './values';


export function checkCluster(parsed: ParsedScript, component: number, cluster: ClusterSnapshot, out: SbatchDiagnostic[]): void {
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
