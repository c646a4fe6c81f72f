/**
 * Slurm's textual units: durations, memory sizes, host lists, node states, gres and TRES.
 * Pure functions shared by every parser.
 */

/** Values Slurm prints for "no value". */
export function isUnset(value: string | undefined): boolean {
  return value === undefined || value === '' || value === '(null)' || value === 'N/A' || value === 'n/a' || value === 'None';
}

/**
 * Parses a duration as Slurm prints it (squeue %M/%l, scontrol MaxTime/RunTime, sacct Elapsed):
 * `M:SS`, `H:MM:SS`, `D-HH:MM:SS`, `D-HH`, `D-HH:MM`, and plain minutes as written in
 * slurm.conf (`30`). Returns seconds; null for UNLIMITED / INVALID / NOT_SET / N/A / empty.
 */
export function parseDurationSeconds(text: string | undefined): number | null {
  if (text === undefined) return null;
  // Fast path: digits, '-' and ':' only (what squeue and scontrol print).
  let days = -1;
  const parts: number[] = [];
  let cur = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) cur = (cur < 0 ? 0 : cur * 10) + (c - 48);
    else if (c === 58 /* : */ && cur >= 0) {
      parts.push(cur);
      cur = -1;
    } else if (c === 45 /* - */ && cur >= 0 && days < 0 && parts.length === 0) {
      days = cur;
      cur = -1;
    } else if (c === 32 && (i === 0 || i === text.length - 1)) continue;
    else return null; // UNLIMITED, INVALID, NOT_SET, N/A, infinite, ...
  }
  if (cur < 0) return null;
  parts.push(cur);
  if (days >= 0) {
    // With days: D-HH, D-HH:MM, D-HH:MM:SS.
    const [h = 0, m = 0, s = 0] = parts;
    return ((days * 24 + h) * 60 + m) * 60 + s;
  }
  if (parts.length === 1) return parts[0] * 60; // minutes
  if (parts.length === 2) return parts[0] * 60 + parts[1]; // M:SS
  if (parts.length === 3) return (parts[0] * 60 + parts[1]) * 60 + parts[2]; // H:MM:SS
  return null;
}

/**
 * A CPU time as sacct and sstat print it (TotalCPU, UserCPU, AveCPU): the shapes of
 * parseDurationSeconds with fractional seconds (`00:09.179`, `1:02:03.5`, `2-01:00:00`), and a
 * bare number is seconds here, not minutes. Returns seconds; null when it is not a time.
 */
export function parseCpuTimeSeconds(text: string | undefined): number | null {
  if (text === undefined) return null;
  const t = text.trim();
  const dot = t.lastIndexOf('.');
  let fraction = 0;
  let whole = t;
  if (dot >= 0) {
    const digits = t.slice(dot + 1);
    if (!/^\d{1,9}$/.test(digits)) return null;
    fraction = Number(`0.${digits}`);
    whole = t.slice(0, dot);
  }
  if (/^\d+$/.test(whole)) return Number(whole) + fraction;
  const s = parseDurationSeconds(whole);
  return s === null ? null : s + fraction;
}

/**
 * Array task indices in the compressed form sbatch --array takes: `[3, 7, 12, 13, 14]` →
 * `3,7,12-14` (sorted, duplicates and non-indices dropped; any run of 2 or more becomes `N-M`).
 */
export function compressIndices(indices: Iterable<number>): string {
  const sorted = [...new Set(indices)].filter((n) => Number.isInteger(n) && n >= 0).sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(j === i ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** Same as parseDurationSeconds, in whole minutes (rounded up). */
export function parseDurationMinutes(text: string | undefined): number | null {
  const s = parseDurationSeconds(text);
  return s === null ? null : Math.ceil(s / 60);
}

/** Formats seconds like Slurm: `M:SS`, `H:MM:SS`, `D-HH:MM:SS`. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) return 'UNLIMITED';
  const s = Math.max(0, Math.round(seconds));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const p2 = (n: number): string => String(n).padStart(2, '0');
  if (d > 0) return `${d}-${p2(h)}:${p2(m)}:${p2(sec)}`;
  if (h > 0) return `${h}:${p2(m)}:${p2(sec)}`;
  return `${m}:${p2(sec)}`;
}

/** Parses a memory size (`2000`, `2000M`, `4G`, `1.5T`, `512K`) into MiB; default unit MiB. */
export function parseMemoryMiB(text: string | undefined): number | null {
  if (text === undefined) return null;
  const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*([KMGTP]?)(?:i?B)?\s*$/i.exec(text);
  if (!m) return null;
  const n = Number(m[1]);
  const factor: Record<string, number> = { K: 1 / 1024, '': 1, M: 1, G: 1024, T: 1024 * 1024, P: 1024 * 1024 * 1024 };
  return Math.round(n * factor[m[2].toUpperCase()]);
}

/**
 * Expands a Slurm host list: `n[1-3,5],m01` → n1 n2 n3 n5 m01; keeps zero padding (`n[01-03]`);
 * several bracket groups multiply (`r[1-2]n[1-2]`). `(null)`/empty → [].
 */
export function expandHostlist(text: string | undefined): string[] {
  if (isUnset(text) || text === undefined) return [];
  const out: string[] = [];
  for (const item of splitTopLevel(text.trim(), ',')) {
    if (item === '') continue;
    expandOne(item, out);
  }
  return out;
}

function expandOne(item: string, out: string[]): void {
  const open = item.indexOf('[');
  if (open < 0) {
    out.push(item);
    return;
  }
  const close = item.indexOf(']', open);
  if (close < 0) {
    out.push(item);
    return;
  }
  const prefix = item.slice(0, open);
  const body = item.slice(open + 1, close);
  const suffix = item.slice(close + 1);
  for (const range of body.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(range.trim());
    if (!m) {
      expandOne(prefix + range + suffix, out);
      continue;
    }
    const width = m[1].length;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    for (let i = lo; i <= hi; i++) {
      expandOne(prefix + String(i).padStart(width, '0') + suffix, out);
    }
  }
}

/** Splits on `sep` outside of [] and (). */
export function splitTopLevel(text: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '[' || c === '(') depth++;
    else if (c === ']' || c === ')') depth = Math.max(0, depth - 1);
    else if (c === sep && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

export interface GresEntry {
  name: string;
  type?: string;
  count: number;
}

/**
 * Parses a gres list: `gpu:a100:4(S:0-1),gpu:2,mps:100`, `gpu:a100:2(IDX:0-1)`, `gpu` (count 1),
 * `gpu:4K`? (count suffixes K/M/G are multiplied). `(null)` → [].
 */
export function parseGres(text: string | undefined): GresEntry[] {
  if (isUnset(text) || text === undefined) return [];
  const out: GresEntry[] = [];
  for (const raw of splitTopLevel(text, ',')) {
    const item = raw.replace(/\(.*\)$/, '').trim();
    if (item === '' || item === '(null)') continue;
    const parts = item.split(':');
    const name = parts[0];
    let type: string | undefined;
    let count = 1;
    if (parts.length === 2) {
      const c = parseCount(parts[1]);
      if (c === null) type = parts[1];
      else count = c;
    } else if (parts.length >= 3) {
      type = parts[1];
      const c = parseCount(parts[parts.length - 1]);
      count = c ?? 1;
    }
    out.push(type === undefined ? { name, count } : { name, type, count });
  }
  return out;
}

function parseCount(text: string): number | null {
  const m = /^(\d+)([KMG]?)$/i.exec(text);
  if (!m) return null;
  const f: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 };
  return Number(m[1]) * f[m[2].toUpperCase()];
}

/** Parses a TRES string `cpu=2,mem=2000M,node=1,billing=2,gres/gpu=4,gres/gpu:a100=4` into a map. */
export function parseTres(text: string | undefined): Map<string, string> {
  const map = new Map<string, string>();
  if (isUnset(text) || text === undefined) return map;
  for (const item of text.split(',')) {
    const eq = item.indexOf('=');
    if (eq > 0) map.set(item.slice(0, eq).trim(), item.slice(eq + 1).trim());
  }
  return map;
}

/** GPUs in a TRES map (`gres/gpu`, without the typed duplicates). */
export function tresGpus(tres: Map<string, string>): number {
  const v = tres.get('gres/gpu');
  if (v !== undefined) return parseCount(v) ?? 0;
  let sum = 0;
  for (const [k, val] of tres) if (k.startsWith('gres/gpu:')) sum += parseCount(val) ?? 0;
  return sum;
}

export type NodeBaseState =
  | 'idle'
  | 'mixed'
  | 'allocated'
  | 'completing'
  | 'down'
  | 'drained'
  | 'draining'
  | 'planned'
  | 'reserved'
  | 'future'
  | 'unknown';

export interface NodeState {
  /** What the node is, for display and grouping (drain folded in: idle+drain = drained). */
  base: NodeBaseState;
  /** The raw text as Slurm printed it. */
  raw: string;
  notResponding: boolean;
  poweredDown: boolean;
  poweringUp: boolean;
  drain: boolean;
  maintenance: boolean;
  reservation: boolean;
  /** Anything else Slurm appended (CLOUD, FAIL, REBOOT_REQUESTED, ...), lower case. */
  flags: string[];
}

const SINFO_SUFFIX: Record<string, keyof NodeState> = {
  '*': 'notResponding',
  '~': 'poweredDown',
  '#': 'poweringUp',
  '%': 'poweredDown',
  '!': 'poweredDown',
  $: 'maintenance',
  '@': 'flags',
  '^': 'flags',
  '-': 'flags',
};

/**
 * Parses node states both as sinfo prints them (`idle*`, `mix~`, `drain`, `drng`, `down*`,
 * `alloc#`) and as scontrol prints them (`IDLE+DRAIN`, `DOWN*+DRAIN+NOT_RESPONDING`,
 * `MIXED+CLOUD+POWERED_DOWN`).
 */
export function parseNodeState(text: string): NodeState {
  const st: NodeState = {
    base: 'unknown',
    raw: text,
    notResponding: false,
    poweredDown: false,
    poweringUp: false,
    drain: false,
    maintenance: false,
    reservation: false,
    flags: [],
  };
  const parts = text.trim().split('+');
  let base = parts[0].toLowerCase();
  while (base.length > 1 && SINFO_SUFFIX[base[base.length - 1]] !== undefined) {
    const key = SINFO_SUFFIX[base[base.length - 1]];
    if (key === 'flags') st.flags.push(base[base.length - 1]);
    else (st as unknown as Record<string, boolean>)[key] = true;
    base = base.slice(0, -1);
  }
  for (const flag of parts.slice(1)) {
    const f = flag.toLowerCase().replace(/\*$/, '');
    if (flag.endsWith('*')) st.notResponding = true;
    if (f === 'drain') st.drain = true;
    else if (f === 'not_responding') st.notResponding = true;
    else if (f === 'powered_down' || f === 'power_down' || f === 'powering_down') st.poweredDown = true;
    else if (f === 'powering_up') st.poweringUp = true;
    else if (f === 'maint') st.maintenance = true;
    else if (f === 'reserved') st.reservation = true;
    else st.flags.push(f);
  }
  const map: Record<string, NodeBaseState> = {
    idle: 'idle',
    mix: 'mixed',
    mixed: 'mixed',
    alloc: 'allocated',
    allocated: 'allocated',
    comp: 'completing',
    completing: 'completing',
    down: 'down',
    drain: 'drained',
    drained: 'drained',
    drng: 'draining',
    draining: 'draining',
    plnd: 'planned',
    planned: 'planned',
    resv: 'reserved',
    reserved: 'reserved',
    fail: 'down',
    failing: 'draining',
    futr: 'future',
    future: 'future',
    unk: 'unknown',
    unknown: 'unknown',
    maint: 'reserved',
    'inval': 'unknown',
    'npc': 'allocated',
    'blocked': 'allocated',
    'pow_dn': 'idle',
    'pow_up': 'idle',
    'powered_down': 'idle',
    'boot': 'idle',
    'reboot': 'idle',
  };
  let b: NodeBaseState = map[base] ?? 'unknown';
  if (base === 'drain' || base === 'drained' || base === 'drng' || base === 'draining') st.drain = true;
  if (st.drain && b !== 'down') {
    if (b === 'idle' || b === 'drained' || b === 'unknown' || b === 'future') b = 'drained';
    else b = 'draining';
  }
  st.base = b;
  return st;
}
