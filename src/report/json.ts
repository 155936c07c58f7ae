import { LintReport, summarize } from './lint-report';

/**
 * The JSON contract of `istio-mtls lint --format json`. Fields are only ever
 * added, never renamed or removed:
 * `{"findings":[{"code","category","severity","message","fix","resource":{apiVersion,kind,namespace,name},"file","path","line","column",
 *   "acknowledged":{"owner","reviewBy","reason"}}], "summary":{"resources","errors","warnings","acknowledged"}}`.
 * An acknowledged finding keeps its severity; `errors` and `warnings` count
 * only the findings nobody acknowledged (what fails the run), `acknowledged`
 * counts the others.
 */
export function renderLintJson(report: LintReport): string {
  const s = summarize(report);
  const out = {
    findings: report.findings.map((f) => ({
      code: f.code,
      category: f.category,
      severity: f.severity,
      message: f.message,
      ...(f.fix ? { fix: f.fix } : {}),
      resource: {
        apiVersion: f.resource.apiVersion,
        kind: f.resource.kind,
        namespace: f.resource.namespace,
        name: f.resource.name,
      },
      ...(f.file !== undefined ? { file: f.file } : {}),
      path: f.path,
      ...(f.line !== undefined ? { line: f.line, column: f.column } : {}),
      ...(f.constructPath ? { constructPath: f.constructPath } : {}),
      ...(f.related && f.related.length > 0 ? { related: f.related.map((r) => ({ ...r })) } : {}),
      ...(f.acknowledged ? { acknowledged: { owner: f.acknowledged.owner, reviewBy: f.acknowledged.reviewBy, reason: f.acknowledged.reason } } : {}),
    })),
    summary: { resources: s.resources, errors: s.errors, warnings: s.warnings, acknowledged: s.acknowledged },
    ...(report.problems.length > 0 ? { problems: report.problems.map((p) => ({ ...p })) } : {}),
  };
  return JSON.stringify(out, null, 2) + '\n';
}
