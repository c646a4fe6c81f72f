/**
 * SBATCH knowledge, parser and linter: the public API used by the language server, the CLI
 * and the extension. Pure logic: no vscode, no I/O.
 */
export { looksLikeSbatchScript } from './detect';
export * from './types';
export {
  OPTIONS, findOption, resolveLongOption, FILENAME_PATTERNS, FILENAME_PATTERN_LETTERS, LONG_NAMES,
  MAIL_TYPES, DEPENDENCY_TYPES, HINT_VALUES, GRES_FLAGS, PROFILE_VALUES, RLIMIT_NAMES, NON_SBATCH_OPTIONS,
  compareSlurmVersions,
} from './options';
export type { SbatchOption, OptionArg, FilenamePattern, LongResolution } from './options';
export { parseSbatchScript } from './parse';
export type { ParsedScript, SbatchDirective, SbatchLine, IgnoredDirective, IgnoredKind } from './parse';
export { tokenizeDirectiveLine, tokenColumn } from './tokenize';
export type { SbatchToken } from './tokenize';
export { lintSbatch, lintParsed } from './lint';
export type { LintOptions } from './lint';
export { summarizeRequest, effectiveOptions } from './summary';
export type { RequestSummary } from './summary';
export { closestNames, suggestOptionNames, editDistance } from './suggest';
export {
  parseSlurmTime, formatSlurmTime, parseMemory, formatMemory, parseNodeCount, parsePositiveInt,
  parseArraySpec, checkDependency, parseGres, parseGpuCount, checkTres, parseSignalSpec, checkBeginTime,
  expandHostlist, parseConstraint, unknownFilenamePatterns, checkDistribution,
} from './values';
export type { ArraySpec, GresRequest } from './values';
export { validateOptionValue } from './validateValue';
export type { ValueProblem } from './validateValue';
