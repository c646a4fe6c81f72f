/**
 * The text of a job's details: `scontrol show job` while slurmctld holds the job, else its
 * accounting record (slurmdbd, or the job-completion log); with slurmdbd also each step (elapsed,
 * TotalCPU, MaxRSS, exit code) and the job's efficiency, and while it runs its live use (sstat).
 * One round trip.
 */
import type { CommandRunner } from '../core/transport';
import { batchArgv, parseBatchOutput } from '../core/slurm/batch';
import { formatEfficiency, jobEfficiency } from '../core/slurm/efficiency';
import { parseSacct, parseSacctSteps, sacctArgv, type AccountedJobDetail } from '../core/slurm/sacct';
import { actionableJobId } from '../core/slurm/squeue';
import { parseSstat, sstatArgv } from '../core/slurm/sstat';
import { formatDuration } from '../core/slurm/units';

/** The steps and efficiency of accounted jobs, as lines of text. */
export function accountingText(jobs: readonly AccountedJobDetail[]): string {
  const lines: string[] = [];
  for (const j of jobs) {
    const eff = formatEfficiency(jobEfficiency(j));
    lines.push(`Job ${j.jobId} ${j.name}: ${j.state} exit ${j.exitCode} · elapsed ${j.elapsedSeconds === null ? '?' : formatDuration(j.elapsedSeconds)}${eff ? ` · ${eff}` : ''}`);
    for (const s of j.steps) {
      const cpu = s.totalCpuSeconds === null ? '?' : formatDuration(s.totalCpuSeconds);
      const rss = s.maxRssMiB === null ? '-' : `${s.maxRssMiB}M`;
      lines.push(`  step ${s.stepId.padEnd(8)} ${s.state.padEnd(10)} exit ${s.exitCode.padEnd(5)} elapsed ${s.elapsedSeconds === null ? '?' : formatDuration(s.elapsedSeconds)} · TotalCPU ${cpu} · MaxRSS ${rss}${s.name && s.name !== s.stepId ? ` · ${s.name}` : ''}`);
    }
  }
  return lines.join('\n');
}

export async function jobDetailsText(runner: CommandRunner, cluster: string, jobId: string): Promise<string> {
  const res = await runner.exec(
    batchArgv([
      { name: 'show', argv: ['scontrol', 'show', 'job', actionableJobId(jobId)] },
      { name: 'sstat', argv: sstatArgv([jobId]) },
      { name: 'sacct', argv: sacctArgv({ completion: false, steps: true, allUsers: true, jobIds: [jobId] }) },
      { name: 'jobcomp', argv: sacctArgv({ completion: true, allUsers: true, jobIds: [jobId] }), onlyIfPreviousFailed: true },
    ]),
    { timeoutMs: 30_000 },
  );
  const sections = parseBatchOutput(res.stdout);
  const show = sections.get('show');
  const sacct = sections.get('sacct');
  const accounted = sacct?.code === 0 ? parseSacctSteps(sacct.stdout).filter((j) => j.jobId === jobId || j.arrayJobId === jobId || j.jobIdRaw === jobId) : [];
  const live = parseSstat(sections.get('sstat')?.stdout ?? '');
  const liveText = live.length > 0
    ? `\n# Live use (sstat)\n\n${live.map((l) => `  step ${l.stepId.padEnd(8)} ${l.tasks ?? '?'} task(s) · average CPU ${l.aveCpuSeconds === null ? '?' : formatDuration(l.aveCpuSeconds)} · MaxRSS ${l.maxRssMiB === null ? '?' : `${l.maxRssMiB}M`}${l.maxRssNode ? ` on ${l.maxRssNode}` : ''}`).join('\n')}\n`
    : '';
  const steps = `${liveText}${accounted.length > 0 ? `\n# Accounting (sacct, per step)\n\n${accountingText(accounted)}\n` : ''}`;
  if (show?.code === 0 && show.stdout.trim() !== '') return `# scontrol show job ${jobId} (cluster ${cluster})\n\n${show.stdout.trim()}\n${steps}`;
  if (accounted.length > 0) {
    return `# Job ${jobId} (cluster ${cluster}) — from accounting; slurmctld no longer holds it\n\n${Object.entries(accounted[0])
      .filter(([k]) => k !== 'steps')
      .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : typeof v === 'object' && v !== null ? JSON.stringify(v) : (v ?? '')}`)
      .join('\n')}\n${steps}`;
  }
  const jobcomp = sections.get('jobcomp');
  const rows = jobcomp?.code === 0 ? parseSacct(jobcomp.stdout).filter((j) => j.jobId === jobId) : [];
  if (rows.length > 0) {
    return `# Job ${jobId} (cluster ${cluster}) — from the job completion log; slurmctld no longer holds it\n\n${Object.entries(rows[0])
      .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : (v ?? '')}`)
      .join('\n')}\n\n# Steps and efficiency need Slurm's accounting database (slurmdbd).\n`;
  }
  return `# Job ${jobId} (cluster ${cluster})\n\n${show?.stderr || 'The job is not known to the cluster any more.'}\n`;
}
