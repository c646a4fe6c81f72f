/**
 * Which workspace files are never synced: built-in defaults (version control, dependency and
 * cache folders), our temporary files (tempName.ts), the `hpcWorkbench.sync.exclude` globs, and
 * `.gitignore` files (the root one and nested ones, with Git's negation and anchoring rules, via
 * the `ignore` package).
 * Paths are POSIX paths relative to the synced root; directories carry a trailing `/` when
 * matched so that `build/` patterns apply.
 */
import ignore, { type Ignore } from 'ignore';
import picomatch from 'picomatch';
import { isTempName } from './tempName';

/** Folders that are never uploaded, whatever the settings say. */
export const ALWAYS_EXCLUDED_DIRS: readonly string[] = ['.git', '.hg', '.svn'];

/** Excluded by default; the user's globs add to these. */
export const DEFAULT_EXCLUDED_DIRS: readonly string[] = [
  'node_modules',
  '__pycache__',
  '.venv',
  'venv',
  '.tox',
  '.mypy_cache',
  '.pytest_cache',
  '.ipynb_checkpoints',
  '.vscode-test',
];

export interface SyncFilterOptions {
  /** `hpcWorkbench.sync.exclude` globs (picomatch, matched against the relative path; a glob
   *  without `/` matches the file name at any depth, as in .gitignore). */
  excludeGlobs?: readonly string[];
  /** Honour `.gitignore` files (default true). */
  gitignore?: boolean;
  /** Skip the default excluded folders (node_modules, __pycache__...); default true. */
  defaultExcludes?: boolean;
}

/**
 * A filter over relative paths. `.gitignore` rules are added per directory as the scan
 * discovers them (`addGitignore`), so that nested files apply only below their folder.
 */
export class SyncFilter {
  private readonly globMatchers: ((path: string) => boolean)[];
  private readonly gitignores: { base: string; rules: Ignore }[] = [];
  private readonly dirNames: Set<string>;
  readonly useGitignore: boolean;

  constructor(options: SyncFilterOptions = {}) {
    this.globMatchers = (options.excludeGlobs ?? [])
      .filter((glob) => glob.trim() !== '')
      .map((glob) => glob.trim())
      // picomatch's `basename` option misbehaves on globs with `/`: use it only for bare names.
      .map((glob) => picomatch(glob, { dot: true, basename: !glob.includes('/') }));
    this.dirNames = new Set([...ALWAYS_EXCLUDED_DIRS, ...(options.defaultExcludes === false ? [] : DEFAULT_EXCLUDED_DIRS)]);
    this.useGitignore = options.gitignore !== false;
  }

  /** Adds the text of the `.gitignore` found in `dir` ('' for the root). */
  addGitignore(dir: string, text: string): void {
    if (!this.useGitignore) return;
    this.gitignores.push({ base: dir, rules: ignore().add(text) });
  }

  /** True when `path` (relative, POSIX) must not be synced. */
  excludes(path: string, isDirectory: boolean): boolean {
    const segments = path.split('/');
    const name = segments[segments.length - 1];
    if (isDirectory && this.dirNames.has(name)) return true;
    if (isTempName(name)) return true;
    for (const match of this.globMatchers) {
      if (match(path)) return true;
      // `dir/**` also names the folder itself: do not even descend into it.
      if (isDirectory && match(`${path}/`)) return true;
    }
    // Deeper .gitignore files override shallower ones (they are added in scan order, root first).
    let ignored = false;
    for (const { base, rules } of this.gitignores) {
      let relative: string;
      if (base === '') relative = path;
      else if (path.startsWith(`${base}/`)) relative = path.slice(base.length + 1);
      else continue;
      const verdict = rules.test(isDirectory ? `${relative}/` : relative);
      if (verdict.ignored) ignored = true;
      else if (verdict.unignored) ignored = false;
    }
    if (ignored) return true;
    return false;
  }
}
