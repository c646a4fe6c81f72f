/**
 * getopt_long over one heterogeneous component's arguments, as sbatch runs it on the words of
 * its #SBATCH lines: long names (unique prefixes too), clusters of short options, values taken
 * from the next word (even from a later line), "--" and stray words.
 */
import { findOption, optionArgKinds, resolveLongOption, type SbatchOption } from './options';
import { range, type Range, type SbatchDiagnostic } from './types';
import { foreignOptionTool, suggestOptionNames } from './suggest';
import type { ParsedScript, SbatchDirective, SbatchLine } from './parse';
import { tokenColumn, type SbatchToken } from './tokenize';

function tokenRange(line: SbatchLine, t: SbatchToken, from = 0, to?: number): Range {
  const e = to === undefined ? t.end : tokenColumn(t, to);
  return range(line.line, tokenColumn(t, from), e);
}

/** Runs getopt_long's logic over one component's arguments and records the directives. */
export function flushComponent(result: ParsedScript, args: { token: SbatchToken; line: SbatchLine }[], component: number): void {
  let i = 0;
  while (i < args.length) {
    const { token, line } = args[i];
    const t = token.text;
    if (t === '--') {
      // getopt stops here; whatever follows is not an option.
      i++;
      if (i < args.length) {
        const next = args[i];
        result.problems.push({
          range: range(next.line.line, next.token.start, next.token.end),
          severity: 'error',
          code: 'invalid-directive',
          message: `sbatch rejects the script: "${next.token.text}" after "--" is not an option ("Invalid directive found in batch script").`,
        });
      }
      return;
    }
    if (t.startsWith('--')) {
      const eq = t.indexOf('=');
      const name = eq >= 0 ? t.slice(2, eq) : t.slice(2);
      const nameRange = tokenRange(line, token, 0, eq >= 0 ? eq : undefined);
      const res = resolveLongOption(name);
      if (res.kind === 'unknown' || res.kind === 'ambiguous') {
        if (res.kind === 'ambiguous') {
          result.problems.push({
            range: nameRange,
            severity: 'error',
            code: 'ambiguous-option',
            message: `"--${name}" is ambiguous for sbatch: it could be ${res.candidates.map((c) => '--' + c).join(', ')}.`,
            fixes: res.candidates.slice(0, 4).map((c) => ({ title: `Change to --${c}`, edits: [{ range: nameRange, newText: '--' + c }] })),
          });
        } else {
          result.problems.push(unknownOption('--' + name, nameRange, suggestOptionNames(name)));
        }
        i++;
        // A separate value ("--tmie 10") would be misread as another argument: skip a non-option.
        if (eq < 0 && i < args.length && !args[i].token.text.startsWith('-')) i++;
        continue;
      }
      const option = res.option;
      const d: SbatchDirective = {
        line: line.line,
        keywordRange: line.keywordRange,
        name: '--' + name,
        nameRange,
        option,
        valueStyle: 'none',
        component,
        ...(res.kind === 'prefix' ? { abbreviated: true } : {}),
      };
      if (eq >= 0) {
        d.value = t.slice(eq + 1);
        d.valueStyle = 'equals';
        d.valueRange = range(line.line, tokenColumn(token, eq) + 1, token.end);
        // A value only where no supported version takes one (else the linter decides per version).
        if (optionArgKinds(option).every((k) => k === 'none')) {
          result.problems.push({
            range: range(line.line, tokenColumn(token, eq), token.end),
            severity: 'error',
            code: 'unexpected-value',
            message: `--${option.long} takes no value; sbatch rejects "${t}".`,
            fixes: [{ title: `Remove the value`, edits: [{ range: range(line.line, tokenColumn(token, eq), token.end), newText: '' }] }],
          });
        }
        i++;
      } else if (option.arg === 'required') {
        if (i + 1 < args.length) {
          const v = args[i + 1];
          d.value = v.token.text;
          d.valueStyle = 'separate';
          d.valueRange = range(v.line.line, v.token.start, v.token.end);
          explainBorrowedValue(result, d, option, args, i + 1);
          i += 2;
        } else {
          result.problems.push({
            range: nameRange,
            severity: 'error',
            code: 'missing-value',
            message: `--${option.long} needs a value (${option.placeholder}).`,
          });
          i++;
        }
      } else {
        i++;
      }
      result.directives.push(d);
      continue;
    }
    if (t.startsWith('-') && t.length > 1) {
      // A cluster of short options: -vH, -n4, -n 4.
      let k = 1;
      let consumedNext = false;
      while (k < t.length) {
        const letter = t[k];
        const option = findOption(letter);
        const nameRange = tokenRange(line, token, k - (k === 1 ? 1 : 0), k + 1);
        if (!option || !option.short) {
          result.problems.push(unknownOption('-' + letter, nameRange, suggestOptionNames(letter)));
          // "-y 5": do not report the value as a second problem.
          if (k === t.length - 1 && i + 1 < args.length && !args[i + 1].token.text.startsWith('-')) consumedNext = true;
          break;
        }
        const d: SbatchDirective = {
          line: line.line,
          keywordRange: line.keywordRange,
          name: '-' + letter,
          nameRange,
          option,
          valueStyle: 'none',
          component,
        };
        if (option.arg === 'required') {
          if (k + 1 < t.length) {
            d.value = t.slice(k + 1);
            d.valueStyle = 'attached';
            d.valueRange = tokenRange(line, token, k + 1);
          } else if (i + 1 < args.length) {
            const v = args[i + 1];
            d.value = v.token.text;
            d.valueStyle = 'separate';
            d.valueRange = range(v.line.line, v.token.start, v.token.end);
            explainBorrowedValue(result, d, option, args, i + 1);
            consumedNext = true;
          } else {
            result.problems.push({
              range: nameRange,
              severity: 'error',
              code: 'missing-value',
              message: `-${letter} (--${option.long}) needs a value (${option.placeholder}).`,
            });
          }
          result.directives.push(d);
          break;
        }
        result.directives.push(d);
        k++;
      }
      i += consumedNext ? 2 : 1;
      continue;
    }
    // A non-option argument: getopt stops ('+' in sbatch's option string) and sbatch exits.
    result.problems.push({
      range: range(line.line, token.start, token.end),
      severity: 'error',
      code: 'invalid-directive',
      message: `"${t}" is not an option: sbatch rejects the script ("Invalid directive found in batch script"). Values of options that take an optional value must be attached with "=".`,
    });
    i++;
  }
}

/**
 * An option that needs a value and has none on its own line takes the next argument, even when
 * that looks like an option on a later line (`#SBATCH --job-name` then `#SBATCH -t 5`: the job
 * is named "-t", and "5" is then a stray word). Said on the option's own line, where the mistake is.
 */
function explainBorrowedValue(
  result: ParsedScript,
  d: SbatchDirective,
  option: SbatchOption,
  args: { token: SbatchToken; line: SbatchLine }[],
  at: number,
): void {
  const v = args[at];
  if (v.line.line === d.line || !v.token.text.startsWith('-') || v.token.text.length < 2) return;
  const next = args[at + 1];
  const stray = next && !next.token.text.startsWith('-') ? next.token.text : undefined;
  result.problems.push({
    range: d.nameRange,
    severity: 'warning',
    code: 'value-looks-like-option',
    message:
      `${d.name} has no value on this line, so sbatch takes "${v.token.text}" from line ${v.line.line + 1} as its value` +
      (option.long === 'job-name' ? ` (the job is named "${v.token.text}")` : '') +
      (stray !== undefined ? ` and then finds "${stray}" as a stray word` : ` instead of reading it as an option`) +
      `. Give ${d.name} its value (${option.placeholder}).`,
  });
}

function unknownOption(written: string, r: Range, suggestions: string[]): SbatchDiagnostic {
  const tool = written.startsWith('--') ? foreignOptionTool(written.slice(2)) : undefined;
  const tip = suggestions.length ? ` Did you mean ${suggestions.map((s) => (s.length === 1 ? '-' : '--') + s).join(' or ')}?` : '';
  return {
    range: r,
    severity: 'error',
    code: 'unknown-option',
    message: tool
      ? `"${written}" is an option of ${tool}, not of sbatch: pass it to the ${tool} command inside the script.${tip}`
      : `sbatch has no option "${written}".${tip}`,
    fixes: suggestions.map((s, idx) => ({
      title: `Change to ${(s.length === 1 ? '-' : '--') + s}`,
      edits: [{ range: r, newText: (s.length === 1 ? '-' : '--') + s }],
      ...(idx === 0 ? { preferred: true } : {}),
    })),
  };
}
