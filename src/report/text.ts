import { visible } from './escape';
import { acknowledgmentLine, formatLocation, LintReport, messageWithSubject, summarize } from './lint-report';

/**
 * Human-readable lint output, one finding per line (compiler style, so editors
 * and CI logs link to the position), then the fix, then a summary line. An
 * acknowledged finding reads `acknowledged error …` (so no problem matcher
 * takes it for an error) and says who acknowledged it, until when and why.
 * Control characters of names, files and messages are shown escaped: a line
 * of input can never forge a line of the report.
 */
export function renderLintText(report: LintReport): string {
  const lines: string[] = [];
  for (const f of report.findings) {
    const where = formatLocation(f.file, f.line, f.column) || (f.constructPath ? `[${f.constructPath}]` : '');
    const severity = f.acknowledged ? `acknowledged ${f.severity}` : f.severity;
    lines.push(`${where ? where + ': ' : ''}${severity} ${f.code} ${messageWithSubject(f)}`);
    if (f.acknowledged) lines.push(`  ${acknowledgmentLine(f.acknowledged)}`);
    if (f.fix) lines.push(`  fix: ${f.fix}`);
  }
  lines.push(summaryLine(report));
  return lines.map(visible).join('\n') + '\n';
}

/** `3 resources, 1 error, 0 warnings[, 2 notes][, 1 acknowledged][, 1 unreadable document (see stderr)]`. */
export function summaryLine(report: LintReport): string {
  const s = summarize(report);
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const parts = [plural(s.resources, 'resource'), plural(s.errors, 'error'), plural(s.warnings, 'warning')];
  if (s.infos > 0) parts.push(plural(s.infos, 'note'));
  if (s.acknowledged > 0) parts.push(`${s.acknowledged} acknowledged`);
  if (report.problems.length > 0) parts.push(`${plural(report.problems.length, 'unreadable document')} (see stderr)`);
  return parts.join(', ');
}
