/**
 * Memory sizes: --mem, --mem-per-cpu, --mem-per-gpu, --tmp; RealMemory, MaxMemPerNode,
 * MaxMemPerCPU. A number with an optional unit K, M, G, T (P when Slurm prints it); no unit means
 * MiB. Units are binary (1G = 1024M).
 */
import { failed, parsed, type GrammarMode, type Parsed } from './types';

const FACTOR: Record<string, number> = { K: 1 / 1024, M: 1, G: 1024, T: 1024 * 1024, P: 1024 * 1024 * 1024 };

/**
 * MiB. `request`: whole numbers up to 15 digits, a unit K/M/G/T optionally followed by B, nothing
 * around; kibibytes round up (Slurm rounds a request up to whole MiB). `report`: decimals, blanks,
 * P and iB too, rounded to the nearest MiB.
 */
export function parseMemorySize(text: string, mode: GrammarMode = 'request'): Parsed<number> {
  if (mode === 'request') {
    const m = /^(\d{1,15})(?:([KMGTkmgt])[bB]?)?$/.exec(text);
    if (!m) return failed(`"${text}" is not a memory size (a whole number with an optional unit K, M, G or T)`);
    const unit = (m[2] ?? 'M').toUpperCase();
    const n = Number(m[1]);
    return parsed(unit === 'K' ? Math.ceil(n / 1024) : n * FACTOR[unit]);
  }
  const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*([KMGTP]?)(?:i?B)?\s*$/i.exec(text);
  if (!m) return failed(`"${text}" is not a memory size`);
  return parsed(Math.round(Number(m[1]) * FACTOR[m[2].toUpperCase() || 'M']));
}
