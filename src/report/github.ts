import { visible } from './escape';
import { acknowledgmentLine, LintReport, messageWithSubject } from './lint-report';
import { summaryLine } from './text';
import { Severity } from '../model/finding';

type Level = 'error' | 'warning' | 'notice';

const LEVEL: Record<Severity, Level> = { error: 'error', warning: 'warning', info: 'notice' };

/** A workflow-command property value: `%`, CR, LF, `:` and `,` percent-encoded, as the Actions runner decodes them. */
export function githubProperty(s: string): string {
  return githubData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** A workflow-command message: `%`, CR and LF percent-encoded (a message may span lines). */
export function githubData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

interface Place {
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
}

/** `::level file=F,line=L,col=C,title=T::message`; a place without a file gives an annotation without one. */
function annotation(level: Level, place: Place, title: string, lines: readonly string[]): string {
  const props: string[] = [];
  // Standard input has no file in the repository to annotate.
  if (place.file !== undefined && place.file !== '' && place.file !== '-') {
    props.push(`file=${githubProperty(place.file)}`);
    if (place.line !== undefined) {
      props.push(`line=${place.line}`);
      if (place.column !== undefined) props.push(`col=${place.column}`);
    }
  }
  props.push(`title=${githubProperty(visible(title))}`);
  return `::${level} ${props.join(',')}::${githubData(lines.map(visible).join('\n'))}`;
}

/**
 * `istio-mtls lint --format github`: one GitHub Actions workflow command per
 * finding, so each shows as an annotation on its file and line, then the
 * summary line. Errors and warnings annotate as such, infos as notices; an
 * acknowledged finding is a notice whatever its severity (it never fails the
 * run, so it must not read as a failure), titled `CODE (acknowledged)` and
 * saying who acknowledged it. Unreadable input is an error annotation too.
 */
export function renderLintGithub(report: LintReport): string {
  const out: string[] = [];
  for (const p of report.problems) out.push(annotation('error', p, 'unreadable input', [p.message]));
  for (const f of report.findings) {
    const lines = [messageWithSubject(f)];
    if (f.acknowledged) lines.push(acknowledgmentLine(f.acknowledged));
    if (f.fix) lines.push(`fix: ${f.fix}`);
    out.push(annotation(f.acknowledged ? 'notice' : LEVEL[f.severity], f, f.acknowledged ? `${f.code} (acknowledged)` : f.code, lines));
  }
  out.push(visible(summaryLine(report)));
  return out.join('\n') + '\n';
}
