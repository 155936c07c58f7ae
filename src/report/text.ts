import { formatLocation, LintReport, messageWithSubject, summarize } from './lint-report';

/**
 * Human-readable lint output, one finding per line (compiler style, so editors
 * and CI logs link to the position), then the fix, then a summary line.
 */
export function renderLintText(report: LintReport): string {
  const lines: string[] = [];
  for (const f of report.findings) {
    const where = formatLocation(f.file, f.line, f.column) || (f.constructPath ? `[${f.constructPath}]` : '');
    lines.push(`${where ? where + ': ' : ''}${f.severity} ${f.code} ${messageWithSubject(f)}`);
    if (f.fix) lines.push(`  fix: ${f.fix}`);
  }
  const s = summarize(report);
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const parts = [plural(s.resources, 'resource'), plural(s.errors, 'error'), plural(s.warnings, 'warning')];
  if (s.infos > 0) parts.push(plural(s.infos, 'note'));
  if (report.problems.length > 0) parts.push(`${plural(report.problems.length, 'unreadable document')} (see stderr)`);
  lines.push(parts.join(', '));
  return lines.join('\n') + '\n';
}
