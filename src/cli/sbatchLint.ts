/**
 * sbatch-lint: checks Slurm batch scripts from the command line (pre-commit hooks, CI).
 *
 *   sbatch-lint [--format text|json] [--cluster-info FILE] [--summary] FILE...
 *
 * Exit status: 0 no errors (warnings allowed), 1 at least one error, 2 usage or I/O error.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseClusterSnapshot, type ClusterSnapshot } from '../core/cluster/snapshot';
import { lintSbatch, type SbatchDiagnostic } from '../core/sbatch';
import pkg from '../../package.json';

const USAGE = `Usage: sbatch-lint [options] FILE...

Checks the #SBATCH directives of Slurm batch scripts the way sbatch reads them.
Use "-" as FILE to read a script from standard input.

Options:
  --format text|json    Output format (default text: file:line:col: severity: message [code]).
  --cluster-info FILE   A cluster snapshot (JSON) for cluster-aware checks: partitions,
                        time limits, node sizes, GRES, features, node names.
  --summary             Also print the request summary (nodes x tasks x CPUs, core-hours).
  --no-warnings         Print errors only.
  -h, --help            Show this help.
  -V, --version         Show the version.

Exit status: 0 no errors, 1 errors found, 2 usage or I/O error.`;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

interface JsonDiagnostic {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: SbatchDiagnostic['severity'];
  code: string;
  message: string;
}

/** Runs the CLI on arguments; pure apart from reading files (testable without spawning). */
export function runSbatchLint(argv: string[], readStdin: () => string = () => fs.readFileSync(0, 'utf8')): CliResult {
  let format = 'text';
  let clusterFile: string | undefined;
  let summary = false;
  let warnings = true;
  const files: string[] = [];
  const usage = (msg: string): CliResult => ({ code: 2, stdout: '', stderr: `sbatch-lint: ${msg}\n${USAGE}\n` });
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const takeValue = (name: string): string | undefined => {
      if (a.startsWith(name + '=')) return a.slice(name.length + 1);
      i++;
      return argv[i];
    };
    if (a === '-h' || a === '--help') return { code: 0, stdout: USAGE + '\n', stderr: '' };
    if (a === '-V' || a === '--version') return { code: 0, stdout: `sbatch-lint ${pkg.version}\n`, stderr: '' };
    if (a === '--format' || a.startsWith('--format=')) {
      const v = takeValue('--format');
      if (v !== 'text' && v !== 'json') return usage(`--format must be text or json, not ${JSON.stringify(v ?? '')}`);
      format = v;
    } else if (a === '--cluster-info' || a.startsWith('--cluster-info=')) {
      const v = takeValue('--cluster-info');
      if (!v) return usage('--cluster-info needs a file');
      clusterFile = v;
    } else if (a === '--summary') {
      summary = true;
    } else if (a === '--no-warnings') {
      warnings = false;
    } else if (a === '--') {
      files.push(...argv.slice(i + 1));
      break;
    } else if (a.startsWith('-') && a !== '-') {
      return usage(`unknown option ${a}`);
    } else {
      files.push(a);
    }
  }
  if (files.length === 0) return usage('no files given');

  let cluster: ClusterSnapshot | undefined;
  if (clusterFile) {
    try {
      cluster = parseClusterSnapshot(fs.readFileSync(clusterFile, 'utf8'), clusterFile);
    } catch (e) {
      return { code: 2, stdout: '', stderr: `sbatch-lint: cannot use cluster info: ${(e as Error).message}\n` };
    }
  }

  const json: JsonDiagnostic[] = [];
  const lines: string[] = [];
  let stderr = '';
  let ioError = false;
  let errors = 0;
  for (const file of files) {
    let text: string;
    try {
      text = file === '-' ? readStdin() : fs.readFileSync(file, 'utf8');
    } catch (e) {
      stderr += `sbatch-lint: ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}\n`;
      ioError = true;
      continue;
    }
    const baseDir = file === '-' ? process.cwd() : path.dirname(path.resolve(file));
    const diags = lintSbatch(text, {
      ...(cluster ? { cluster } : {}),
      summary,
      directoryExists: (dir) => {
        try {
          return fs.statSync(path.resolve(baseDir, dir)).isDirectory();
        } catch {
          return false;
        }
      },
    })
      .filter((d) => warnings || d.severity === 'error')
      .sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
    const name = file === '-' ? '<stdin>' : file;
    for (const d of diags) {
      if (d.severity === 'error') errors++;
      if (format === 'json') {
        json.push({
          file: name,
          line: d.range.start.line + 1,
          column: d.range.start.character + 1,
          endLine: d.range.end.line + 1,
          endColumn: d.range.end.character + 1,
          severity: d.severity,
          code: d.code,
          message: d.message,
        });
      } else {
        lines.push(`${name}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity}: ${d.message} [${d.code}]`);
      }
    }
  }
  const stdout = format === 'json' ? JSON.stringify(json, null, 2) + '\n' : lines.length ? lines.join('\n') + '\n' : '';
  return { code: ioError ? 2 : errors > 0 ? 1 : 0, stdout, stderr };
}

if (require.main === module) {
  const r = runSbatchLint(process.argv.slice(2));
  if (r.stdout) process.stdout.write(r.stdout);
  if (r.stderr) process.stderr.write(r.stderr);
  process.exitCode = r.code;
}
