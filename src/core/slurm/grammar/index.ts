/**
 * Slurm's value grammar, one definition per idea, shared by the linter (src/core/sbatch, which
 * reads what a user writes: `request` mode, strict, errors become diagnostics) and the explorer's
 * parsers (sinfo, squeue, scontrol, sacct: `report` mode, what Slurm prints, read leniently).
 */
export * from './duration';
export * from './memory';
export * from './gres';
export * from './hostlist';

export { isUnset, splitTopLevel, type GrammarMode, type Parsed } from './types';
