/**
 * The rows of a listing we ask Slurm for with a field separator (`squeue -o`, `sinfo -o`): one
 * row a line, its fields split on the separator. The last field is the free-text one (a job name,
 * a node's reason), so whatever lies beyond it belongs to it.
 */

/**
 * Calls `row` with the fields of each line that has at least `count` of them (a trailing "\r" is
 * dropped, empty and shorter lines are skipped); extra fields are joined into the last one.
 * A plain scan (no split of the whole text): squeue listings may hold 100,000 jobs.
 */
export function forEachRow(text: string, count: number, separator: string, row: (fields: string[]) => void): void {
  let pos = 0;
  while (pos < text.length) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    const line = text.charCodeAt(end - 1) === 13 ? text.slice(pos, end - 1) : text.slice(pos, end);
    pos = end + 1;
    if (line === '') continue;
    const f = line.split(separator);
    if (f.length < count) continue;
    if (f.length > count) f.splice(count - 1, f.length - count + 1, f.slice(count - 1).join(separator));
    row(f);
  }
}
