/**
 * The text of a job's details: `scontrol show job` while slurmctld holds the job, else its
 * accounting record (slurmdbd, or the job-completion log), in one round trip.
 */
import type { CommandRunner } from '../core/transport';
import { batchArgv, parseBatchOutput } from '../core/slurm/batch';
import { parseSacct, sacctArgv } from '../core/slurm/sacct';
import { actionableJobId } from '../core/slurm/squeue';

export async function jobDetailsText(runner: CommandRunner, cluster: string, jobId: string): Promise<string> {
  const res = await runner.exec(
    batchArgv([
      { name: 'show', argv: ['scontrol', 'show', 'job', actionableJobId(jobId)] },
      { name: 'sacct', argv: sacctArgv({ completion: false, allUsers: true, jobIds: [jobId] }) },
      { name: 'jobcomp', argv: sacctArgv({ completion: true, allUsers: true, jobIds: [jobId] }), onlyIfPreviousFailed: true },
    ]),
    { timeoutMs: 30_000 },
  );
  const sections = parseBatchOutput(res.stdout);
  const show = sections.get('show');
  if (show?.code === 0 && show.stdout.trim() !== '') return `# scontrol show job ${jobId} (cluster ${cluster})\n\n${show.stdout.trim()}\n`;
  const acct = sections.get('sacct')?.code === 0 ? sections.get('sacct') : sections.get('jobcomp');
  const rows = acct?.code === 0 ? parseSacct(acct.stdout).filter((j) => j.jobId === jobId) : [];
  if (rows.length > 0) {
    return `# Job ${jobId} (cluster ${cluster}) — from accounting; slurmctld no longer holds it\n\n${Object.entries(rows[0])
      .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : (v ?? '')}`)
      .join('\n')}\n`;
  }
  return `# Job ${jobId} (cluster ${cluster})\n\n${show?.stderr || 'The job is not known to the cluster any more.'}\n`;
}
