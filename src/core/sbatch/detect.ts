/** True when a shell script holds `#SBATCH` directives in its leading comment block. */
export function looksLikeSbatchScript(text: string): boolean {
  // Only the head matters: sbatch reads directives before the first command.
  const head = text.length > 65536 ? text.slice(0, 65536) : text;
  return /^[ \t]*#SBATCH\b/m.test(head);
}
