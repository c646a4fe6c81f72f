/** Positions are 0-based lines and UTF-16 code-unit characters, as in LSP. */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning' | 'information' | 'hint';

export interface TextEdit {
  range: Range;
  newText: string;
}

export interface SbatchFix {
  title: string;
  edits: TextEdit[];
  /** The fix a user most likely wants (LSP isPreferred). */
  preferred?: boolean;
}

export interface SbatchDiagnostic {
  range: Range;
  severity: Severity;
  /** Stable code, documented in README.md ("SBATCH diagnostic codes"). */
  code: string;
  message: string;
  fixes?: SbatchFix[];
}

export function range(line: number, start: number, end: number): Range {
  return { start: { line, character: start }, end: { line, character: end } };
}
