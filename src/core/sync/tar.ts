/**
 * A minimal writer of POSIX ustar archives, for shipping many small files to the cluster in one
 * stream (`tar -x` on the other side, into a private staging folder; see
 * src/transport/fileTransfer.ts). Only regular files, and only names we choose ourselves (short,
 * plain ASCII): the real names never travel inside the archive, so no name can be misread.
 */

export interface TarEntry {
  /** Plain ASCII, at most 100 bytes, no `/` needed (the staging folder is flat). */
  name: string;
  data: Uint8Array;
  /** Permission bits. */
  mode: number;
  /** Modification time, whole seconds since the epoch. */
  mtime: number;
}

const BLOCK = 512;

function octal(value: number, width: number): string {
  // width - 1 digits and a NUL, as tar writes them.
  const digits = Math.max(0, Math.floor(value)).toString(8);
  if (digits.length > width - 1) throw new Error(`Value ${value} does not fit a tar header field of ${width} bytes.`);
  return digits.padStart(width - 1, '0') + '\0';
}

/** The 512-byte ustar header of one regular file. */
export function tarHeader(entry: TarEntry): Buffer {
  if (!/^[\x21-\x7e]{1,100}$/.test(entry.name)) throw new Error(`Unsupported tar entry name: ${JSON.stringify(entry.name)}`);
  const header = Buffer.alloc(BLOCK, 0);
  header.write(entry.name, 0, 'ascii');
  header.write(octal(entry.mode & 0o7777, 8), 100, 'ascii');
  header.write(octal(0, 8), 108, 'ascii'); // uid
  header.write(octal(0, 8), 116, 'ascii'); // gid
  header.write(octal(entry.data.length, 12), 124, 'ascii');
  header.write(octal(entry.mtime, 12), 136, 'ascii');
  header.write('        ', 148, 'ascii'); // checksum counted as spaces
  header.write('0', 156, 'ascii'); // regular file
  header.write('ustar\0', 257, 'ascii');
  header.write('00', 263, 'ascii');
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  return header;
}

/** One entry as it goes into an archive: header, data, zero padding to a whole block. */
export function tarEntryParts(entry: TarEntry): Buffer[] {
  const parts = [tarHeader(entry), Buffer.from(entry.data.buffer, entry.data.byteOffset, entry.data.length)];
  const pad = (BLOCK - (entry.data.length % BLOCK)) % BLOCK;
  if (pad > 0) parts.push(Buffer.alloc(pad, 0));
  return parts;
}

/** What ends an archive: two zero blocks. */
export function tarEnd(): Buffer {
  return Buffer.alloc(2 * BLOCK, 0);
}

/** A whole archive: each entry's header and data (padded to 512 bytes), then two zero blocks. */
export function tarArchive(entries: readonly TarEntry[]): Buffer {
  return Buffer.concat([...entries.flatMap(tarEntryParts), tarEnd()]);
}
