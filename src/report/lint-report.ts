import { Acknowledgment, Finding } from '../model/finding';
import { describeRef } from '../model/manifest';

/** A finding placed in its input: the file (as the user named it) and the position of `path` in it. */
export interface LocatedFinding extends Finding {
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  /** The cdk8s construct path of the resource, when it came from an app. */
  readonly constructPath?: string;
}

/** Input that could not be used (a YAML error, a binary file, …); the rest is still checked. */
export interface InputProblem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/** Everything `istio-mtls lint` reports. */
export interface LintReport {
  readonly findings: readonly LocatedFinding[];
  /** Kubernetes objects read. */
  readonly resources: number;
  readonly problems: readonly InputProblem[];
}

/** The counts of a report. Errors, warnings and infos count only findings nobody acknowledged. */
export interface LintSummary {
  readonly resources: number;
  readonly errors: number;
  readonly warnings: number;
  readonly infos: number;
  /** Findings acknowledged by a `mtls.acknowledge/<CODE>` annotation, whatever their severity. */
  readonly acknowledged: number;
}

export function summarize(report: LintReport): LintSummary {
  let errors = 0;
  let warnings = 0;
  let infos = 0;
  let acknowledged = 0;
  for (const f of report.findings) {
    if (f.acknowledged) acknowledged++;
    else if (f.severity === 'error') errors++;
    else if (f.severity === 'warning') warnings++;
    else infos++;
  }
  return { resources: report.resources, errors, warnings, infos, acknowledged };
}

/** What makes `istio-mtls lint` exit 1: an error (or, with `--fail-on warning`, a warning) that nobody acknowledged. */
export function failsLint(findings: readonly Finding[], failOn: 'error' | 'warning'): boolean {
  return findings.some((f) => !f.acknowledged && (f.severity === 'error' || (failOn === 'warning' && f.severity === 'warning')));
}

/** `acknowledged by OWNER, review by DATE: REASON`, what reports say of an acknowledged finding. */
export function acknowledgmentLine(a: Acknowledgment): string {
  return `acknowledged by ${a.owner}, review by ${a.reviewBy}: ${a.reason}`;
}

/** `file:line:col` (or as much of it as is known). */
export function formatLocation(file: string | undefined, line: number | undefined, column: number | undefined): string {
  if (!file) return '';
  if (line === undefined) return file;
  return column === undefined ? `${file}:${line}` : `${file}:${line}:${column}`;
}

/**
 * `Kind namespace/name: message`, without saying the resource twice when the
 * message already starts with it (analysis messages name their resources).
 */
export function messageWithSubject(f: Finding): string {
  const subject = describeRef(f.resource);
  return f.message.startsWith(subject) ? f.message : `${subject}: ${f.message}`;
}
