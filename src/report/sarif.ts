import { createHash } from 'crypto';
import * as path from 'path';
import { LintReport, LocatedFinding } from './lint-report';
import { Severity } from '../model/finding';
import { describeRef, groupOf } from '../model/manifest';
import { RuleInfo } from '../model/rule-info';
import { upstreamOf } from '../model/upstream';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

/** The project's home (package.json `repository`); a test keeps the two equal. */
export const REPOSITORY_URL = 'https://github.com/cdk8s-istio-mtls/cdk8s-istio-mtls';

/** RULES.md on the default branch: each code has an anchor, its code in lower case (`#imv401`). */
export const RULES_DOC_URL = `${REPOSITORY_URL}/blob/main/RULES.md`;

/** The name of our fingerprint in `partialFingerprints`; the version changes only if its recipe does. */
export const FINGERPRINT_KEY = 'istioMtlsFinding/v1';

export interface SarifOptions {
  /** The documented rules; findings whose code is not listed still get a rule entry. */
  readonly rules: readonly RuleInfo[];
  readonly toolVersion: string;
  /** @default REPOSITORY_URL */
  readonly informationUri?: string;
}

/**
 * SARIF 2.1.0 for code-scanning UIs (GitHub code scanning among them): one run,
 * the rules that fired (with their explanations and a `helpUri` to their row
 * of RULES.md), one result per finding, located at the file position of the
 * offending field and, logically, at the Kubernetes resource.
 *
 * - Each result has `partialFingerprints[FINGERPRINT_KEY]`, a hash of the code,
 *   the resource (API group, kind, namespace, name) and the field path, so an
 *   alert stays the same alert when lines move or the file is renamed.
 * - An acknowledged finding carries an accepted `inSource` suppression whose
 *   justification is the reason, with the owner and review date as properties.
 * - File names become URI references: relative paths stay relative with `/`
 *   separators, absolute ones become `file:` URIs, and every segment is
 *   percent-encoded (spaces, `#`, `%`, `?`, `:`, non-ASCII). Standard input is
 *   the artifact `stdin`. A finding without a file (possible only through the
 *   library; the CLI places every finding in an input file) has only its
 *   logical location.
 * - Unreadable input is reported as tool execution notifications.
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
      ...(info ? { helpUri: `${RULES_DOC_URL}#${code.toLowerCase()}` } : {}),
      defaultConfiguration: { level: LEVEL[info?.severity ?? sample.severity] },
      properties: {
        category: info?.category ?? sample.category,
        ...(info?.source ? { source: info.source } : {}),
        ...(info ? { upstream: upstreamOf(info) } : {}),
      },
    };
  });
  const fingerprints = fingerprintsOf(report.findings);
  const results = report.findings.map((f, i) => {
    const text = f.fix ? `${describeRef(f.resource)}: ${f.message} Fix: ${f.fix}` : `${describeRef(f.resource)}: ${f.message}`;
    const logical = [{
      fullyQualifiedName: `${f.resource.kind}/${f.resource.namespace ? f.resource.namespace + '/' : ''}${f.resource.name}${f.path}`,
      kind: 'resource',
    }];
    const location = f.file !== undefined && f.file !== ''
      ? { physicalLocation: physicalLocation(f.file, f.line, f.column), logicalLocations: logical }
      : { logicalLocations: logical };
    return {
      ruleId: f.code,
      ruleIndex: ruleIndex.get(f.code)!,
      level: LEVEL[f.severity],
      message: { text },
      locations: [location],
      partialFingerprints: { [FINGERPRINT_KEY]: fingerprints[i] },
      ...(f.acknowledged ? {
        suppressions: [{
          kind: 'inSource',
          status: 'accepted',
          justification: f.acknowledged.reason,
          properties: { owner: f.acknowledged.owner, reviewBy: f.acknowledged.reviewBy },
        }],
      } : {}),
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
          informationUri: options.informationUri ?? REPOSITORY_URL,
          rules,
        },
      },
      invocations: [{
        executionSuccessful: report.problems.length === 0,
        ...(report.problems.length > 0 ? {
          toolExecutionNotifications: report.problems.map((p) => ({
            level: 'error',
            message: { text: p.message },
            locations: [{ physicalLocation: physicalLocation(p.file, p.line, p.column) }],
          })),
        } : {}),
      }],
      results,
      columnKind: 'unicodeCodePoints',
    }],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
}

function physicalLocation(file: string, line: number | undefined, column: number | undefined) {
  return {
    artifactLocation: { uri: toUri(file) },
    ...(line !== undefined ? { region: { startLine: line, startColumn: column ?? 1 } } : {}),
  };
}

/**
 * One fingerprint per finding: the hash of what identifies it (code, resource,
 * field path; not the message, whose wording may improve, nor the line), and,
 * for the rare findings identical in all of these, their rank among them.
 */
function fingerprintsOf(findings: readonly LocatedFinding[]): string[] {
  const seen = new Map<string, number>();
  return findings.map((f) => {
    const identity = JSON.stringify([f.code, groupOf(f.resource.apiVersion), f.resource.kind, f.resource.namespace, f.resource.name, f.path]);
    const rank = seen.get(identity) ?? 0;
    seen.set(identity, rank + 1);
    return createHash('sha256').update(rank === 0 ? identity : `${identity}#${rank}`).digest('hex');
  });
}

/** A file name as a SARIF URI reference (see renderLintSarif). */
export function toUri(file: string): string {
  if (file === '-') return 'stdin';
  const slashed = path.sep === '\\' ? file.replace(/\\/g, '/') : file;
  const encode = (p: string) => p.split('/').map(encodeSegment).join('/');
  // A Windows drive path: file:///C:/dir/file.yaml (the drive's colon stays).
  const drive = /^([A-Za-z]):\//.exec(slashed);
  if (drive) return `file:///${drive[1]}:/${encode(slashed.slice(3))}`;
  if (slashed.startsWith('/')) return `file://${encode(slashed)}`;
  return encode(slashed.replace(/^(\.\/)+/, ''));
}

function encodeSegment(segment: string): string {
  // encodeURIComponent throws on a lone surrogate: write it as U+FFFD, as a UTF-8 decoder would.
  return encodeURIComponent(segment.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));
}

function toPascal(title: string): string {
  return title.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : '')).replace(/^./, (c) => c.toUpperCase());
}
