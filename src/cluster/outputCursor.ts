/**
 * The offset and tail bookkeeping of one followed output file: how many bytes were delivered (the
 * offset of the next read, and where a new stream resumes), whether the file was opened yet (a
 * large file opens on its tail), the UTF-8 decoder that keeps a character split across two reads
 * whole, and `readAppended`: what the file gained since the offset, read through the file
 * transfer (SFTP read at an offset, or a local read), in bounded chunks.
 */
import { StringDecoder } from 'node:string_decoder';
import { TransferError, type FileTransfer } from '../transport/fileTransfer';

export class OutputCursor {
  /** Bytes delivered so far (the offset of the next read). */
  offset = 0;
  /** The file was opened (the first read or stream header decided where to start). */
  started = false;
  readonly decoder = new StringDecoder('utf8');
  /** Bytes read by every read or stream chunk (for tests: incremental reads, not re-downloads). */
  readonly readSizes: number[] = [];

  constructor(
    readonly path: string,
    /** The file transfer, or where to get the current one (after a reconnection the old session is closed). */
    private readonly transfer: FileTransfer | (() => Promise<FileTransfer>),
    /** On the first read of a large file, show only this many last bytes. */
    readonly tailBytes: number,
    /** At most this many bytes per read request. */
    private readonly chunkBytes: number,
  ) {}

  /** Reads what the file gained since the offset (the first read of a large file: its tail only). */
  async readAppended(): Promise<{ text: string; skippedBytes: number; missing: boolean }> {
    let skippedBytes = 0;
    let text = '';
    let missing = false;
    let readNow = 0;
    try {
      const transfer = typeof this.transfer === 'function' ? await this.transfer() : this.transfer;
      if (!this.started) {
        const entry = await transfer.stat(this.path);
        if (!entry) throw new TransferError('missing', 'no-such-file', this.path);
        this.started = true;
        if (entry.size > this.tailBytes) {
          skippedBytes = entry.size - this.tailBytes;
          this.offset = skippedBytes;
        }
      }
      // Read until caught up (bounded, so one poll never takes long).
      for (let round = 0; round < 8; round++) {
        const { data, size } = await transfer.read(this.path, this.offset, this.chunkBytes);
        if (size < this.offset) {
          // Truncated or replaced (a requeued job): start over.
          this.offset = 0;
          continue;
        }
        this.offset += data.length;
        readNow += data.length;
        text += this.decoder.write(data);
        if (data.length < this.chunkBytes) break;
      }
    } catch (error) {
      if (!(error instanceof TransferError && error.code === 'no-such-file')) throw error;
      missing = true;
    }
    this.readSizes.push(readNow);
    return { text, skippedBytes, missing };
  }
}
