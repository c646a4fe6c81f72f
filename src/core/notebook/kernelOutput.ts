/**
 * What a Jupyter kernel's iopub messages mean for a notebook cell: `stream` (stdout/stderr),
 * `execute_result` / `display_data` / `update_display_data` (a bundle of MIME types: text, HTML,
 * images decoded from base64 to bytes, JSON), `error` (name, message, the traceback as a stack),
 * `clear_output`. Pure: the extension turns these into NotebookCellOutputs.
 */

export interface OutputItem {
  mime: string;
  /** Text for textual types, bytes for binary ones (image/png...). */
  data: string | Uint8Array;
}

export type KernelOutput =
  | { kind: 'stream'; name: 'stdout' | 'stderr'; text: string }
  | { kind: 'rich'; items: OutputItem[]; metadata: Record<string, unknown>; displayId?: string; update: boolean; executionCount?: number }
  | { kind: 'error'; name: string; message: string; stack: string }
  | { kind: 'clear'; wait: boolean };

/** Types Jupyter sends base64-encoded. */
const BINARY = /^(image\/(png|jpeg|gif|bmp|webp)|application\/pdf)$/;
const JSON_TYPE = /^application\/(.+\+)?json$/;

function text(value: unknown): string {
  if (Array.isArray(value)) return value.map(String).join('');
  return typeof value === 'string' ? value : String(value ?? '');
}

/** Decodes base64 (Jupyter may wrap it in lines) into bytes. */
export function decodeBase64(value: string): Uint8Array {
  return Uint8Array.from(Buffer.from(value.replace(/\s+/g, ''), 'base64'));
}

/** A MIME bundle as output items, richest first and text/plain last (the form other viewers fall back to). */
export function bundleItems(data: Record<string, unknown>): OutputItem[] {
  const items: OutputItem[] = [];
  for (const [mime, value] of Object.entries(data)) {
    if (BINARY.test(mime)) items.push({ mime, data: decodeBase64(text(value)) });
    else if (JSON_TYPE.test(mime)) items.push({ mime, data: typeof value === 'string' ? value : JSON.stringify(value) });
    else items.push({ mime, data: text(value) });
  }
  return items.sort((a, b) => Number(a.mime === 'text/plain') - Number(b.mime === 'text/plain'));
}

/** ANSI colour and cursor sequences removed (IPython colours its tracebacks). */
export function stripAnsi(value: string): string {
  return value.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
}

/** The output of one iopub message; undefined for messages that are not output (status, execute_input...). */
export function kernelOutput(msgType: string, content: unknown): KernelOutput | undefined {
  const c = (content ?? {}) as Record<string, unknown>;
  switch (msgType) {
    case 'stream':
      return { kind: 'stream', name: c.name === 'stderr' ? 'stderr' : 'stdout', text: text(c.text) };
    case 'execute_result':
    case 'display_data':
    case 'update_display_data': {
      const transient = (c.transient ?? {}) as Record<string, unknown>;
      return {
        kind: 'rich',
        items: bundleItems((c.data ?? {}) as Record<string, unknown>),
        metadata: (c.metadata ?? {}) as Record<string, unknown>,
        displayId: typeof transient.display_id === 'string' ? transient.display_id : undefined,
        update: msgType === 'update_display_data',
        executionCount: msgType === 'execute_result' && typeof c.execution_count === 'number' ? c.execution_count : undefined,
      };
    }
    case 'error': {
      const traceback = Array.isArray(c.traceback) ? c.traceback.map(String) : [];
      const name = text(c.ename) || 'Error';
      const message = text(c.evalue);
      return { kind: 'error', name, message, stack: traceback.length > 0 ? traceback.join('\n') : `${name}: ${message}` };
    }
    case 'clear_output':
      return { kind: 'clear', wait: c.wait === true };
    default:
      return undefined;
  }
}
