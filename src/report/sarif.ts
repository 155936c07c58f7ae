import { LintReport } from './lint-report';
import { Severity } from '../model/finding';
import { describeRef } from '../model/manifest';
import { RuleInfo } from '../model/rule-info';
import { upstreamOf } from '../model/upstream';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

export interface SarifOptions {
  /** The documented rules; findings whose code is not listed still get a rule entry. */
  readonly rules: readonly RuleInfo[];
  readonly toolVersion: string;
  readonly informationUri?: string;
}

/**
 * SARIF 2.1.0 for code-scanning UIs: one run, the rules that fired (with their
 * explanations), one result per finding, located at the file position of the
 * offending field and, logically, at the Kubernetes resource.
 */
export function renderLintSarif(report: LintReport, options: SarifOptions): string {
  const catalogue = new Map(options.rules.map((r) => [r.code, r]));
  const fired = [...new Set(report.findings.map((f) => f.code))].sort();
  const ruleIndex = new Map(fired.map((code, i) => [code, i]));
  const rules = fired.map((code) => {
    const info = catalogue.get(code);
    const sample = report.findings.find((f) => f.code === code)!;
    return {
      id: code,
      name: info ? toPascal(info.title) : code,
      shortDescription: { text: info?.title ?? code },
      fullDescription: { text: info?.explanation ?? info?.title ?? code },
      defaultConfiguration: { level: LEVEL[info?.severity ?? sample.severity] },
      properties: {
        category: info?.category ?? sample.category,
        ...(info?.source ? { source: info.source } : {}),
        ...(info ? { upstream: upstreamOf(info) } : {}),
      },
    };
  });
  const results = report.findings.map((f) => {
    const text = f.fix ? `${describeRef(f.resource)}: ${f.message} Fix: ${f.fix}` : `${describeRef(f.resource)}: ${f.message}`;
    const logical = [{
      fullyQualifiedName: `${f.resource.kind}/${f.resource.namespace ? f.resource.namespace + '/' : ''}${f.resource.name}${f.path}`,
      kind: 'resource',
    }];
    const location = f.file
      ? {
        physicalLocation: {
          artifactLocation: { uri: toUri(f.file) },
          ...(f.line !== undefined ? { region: { startLine: f.line, startColumn: f.column ?? 1 } } : {}),
        },
        logicalLocations: logical,
      }
      : { logicalLocations: logical };
    return {
      ruleId: f.code,
      ruleIndex: ruleIndex.get(f.code)!,
      level: LEVEL[f.severity],
      message: { text },
      locations: [location],
      properties: { category: f.category, path: f.path },
    };
  });
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'istio-mtls',
          version: options.toolVersion,
          ...(options.informationUri ? { informationUri: options.informationUri } : {}),
          rules,
        },
      },
      results,
      columnKind: 'unicodeCodePoints',
    }],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
}

function toUri(file: string): string {
  // SARIF wants URI references; keep relative paths relative, with forward slashes.
  return file === '-' ? 'stdin' : encodeURI(file.replace(/\\/g, '/'));
}

function toPascal(title: string): string {
  return title.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : '')).replace(/^./, (c) => c.toUpperCase());
}
