/**
 * The names of our temporary files: an upload (or a download) is written to
 * `.<final name>.hpcw-tmp-<12 hex digits>` in the target folder, then renamed over the final
 * name. The sync recognises these names: it never uploads them and removes stale ones (left by
 * a cut connection) on the cluster. Pure: the random part comes from Web Crypto, no Node I/O.
 */

const MARKER = '.hpcw-tmp-';
/** The marker, then the random part, at the end of the name. */
const MARKED_END = new RegExp(`${MARKER.replace(/\./g, '\\.')}[0-9a-z]+$`);

/** A fresh temporary name for a file that will be renamed to `finalName` (a name, not a path). */
export function tempNameFor(finalName: string): string {
  const random = Array.from(globalThis.crypto.getRandomValues(new Uint8Array(6)), (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `.${finalName}${MARKER}${random}`;
}

/** True for a name `tempNameFor` makes (a file name, not a path): hidden, ending in the marker and a random part. */
export function isTempName(name: string): boolean {
  return name.startsWith('.') && MARKED_END.test(name);
}
