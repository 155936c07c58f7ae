/**
 * The guide as code: every PeerAuthentication, DestinationRule,
 * AuthorizationPolicy and PrometheusRule of the guide is synthesized by the
 * seed-guide example with the same namespace, name and spec, and every
 * synthesized manifest passes the official CRD schemas.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv, { ValidateFunction } from 'ajv';
import { Testing } from 'cdk8s';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { SEED_GUIDE_CHARTS, buildSeedGuide } from '../../examples/seed-guide/guide';
import { SHARED } from '../realworld';

const GUIDE = path.join(SHARED, 'seed', 'istio-mtls-guide.md');
const CRDS = path.join(SHARED, 'crds');

const KINDS = ['PeerAuthentication', 'DestinationRule', 'AuthorizationPolicy', 'PrometheusRule'];
/** A fixed "today" so the example's exceptions (review by 2027-06-01) are deterministic. */
const TODAY = () => new Date('2026-11-24T12:00:00Z');

type Doc = Record<string, any>;

function guideManifests(): Doc[] {
  const md = fs.readFileSync(GUIDE, 'utf8');
  const docs: Doc[] = [];
  for (const block of md.matchAll(/^```yaml\n([\s\S]*?)^```/gm)) {
    for (const doc of parseAllDocuments(block[1])) {
      const js = doc.toJS();
      if (js && KINDS.includes(js.kind)) docs.push(js);
    }
  }
  return docs;
}

function synthesize(clock = TODAY): { chart: string; manifest: Doc }[] {
  const charts = buildSeedGuide(Testing.app(), { clock });
  return SEED_GUIDE_CHARTS.flatMap((id) => Testing.synth(charts[id]).map((manifest) => ({ chart: id, manifest })));
}

const key = (m: Doc) => `${m.kind} ${m.metadata?.namespace}/${m.metadata?.name}`;

/**
 * The exception annotations we add where the guide weakens mTLS outside its
 * exceptions section (keyed `chart: manifest`): the reasons are the guide's
 * own comments; the owner and review date are ours, since a weakening must
 * be owned and expire.
 */
const ADDED_EXCEPTIONS: Record<string, Record<string, string>> = {
  '01-mesh-permissive: PeerAuthentication istio-system/default': {
    'mtls.exception/owner': 'platform-team@company.com',
    'mtls.exception/reason': 'migration: accept plaintext until all workloads have sidecars',
    'mtls.exception/review-by': '2027-06-01',
  },
  '04-production-permissive: PeerAuthentication production/default': {
    'mtls.exception/owner': 'platform-team@company.com',
    'mtls.exception/reason': 'migration: accept plaintext in production until all its workloads have sidecars',
    'mtls.exception/review-by': '2027-06-01',
  },
  '06-api-gateway-ports: PeerAuthentication production/api-gateway-mtls': {
    'mtls.exception/owner': 'platform-team@company.com',
    'mtls.exception/reason': 'port 8080: health checks from external load balancers; port 9090: Prometheus scraping',
    'mtls.exception/review-by': '2027-06-01',
  },
};

/**
 * The guide's spec, with the two differences we make on purpose:
 * - the guide writes the alert `expr` as a YAML block scalar (`|`), which adds
 *   a trailing newline that is not part of the PromQL. We emit the expression
 *   without it;
 * - the guide's SIMPLE rule sets `sni` without `subjectAltNames`, with which
 *   Istio 1.30 checks no server name (IMA037); ExternalServiceTls verifies the
 *   SNI as the server's name.
 */
function guideSpecAsWeEmitIt(doc: Doc): Doc {
  const tls = doc.spec?.trafficPolicy?.tls;
  if (doc.kind === 'DestinationRule' && tls?.mode === 'SIMPLE' && tls.sni && !tls.subjectAltNames) {
    return { ...doc.spec, trafficPolicy: { ...doc.spec.trafficPolicy, tls: { ...tls, subjectAltNames: [tls.sni] } } };
  }
  if (doc.kind !== 'PrometheusRule') return doc.spec;
  return {
    ...doc.spec,
    groups: doc.spec.groups.map((g: Doc) => ({
      ...g,
      rules: g.rules.map((r: Doc) => {
        expect(r.expr.endsWith('\n')).toBe(true);
        return { ...r, expr: r.expr.replace(/\n$/, '') };
      }),
    })),
  };
}

describe('seed guide as code', () => {
  let guide: Doc[];
  let ours: { chart: string; manifest: Doc }[];
  beforeAll(() => {
    guide = guideManifests();
    ours = synthesize();
  });

  it('finds every policy manifest of the guide', () => {
    // 14 PeerAuthentications (some repeated across sections), 2 DestinationRules, 1 AuthorizationPolicy, 1 PrometheusRule.
    expect(guide.map((d) => d.kind).sort()).toEqual([
      'AuthorizationPolicy', 'DestinationRule', 'DestinationRule',
      ...Array(15).fill('PeerAuthentication'), 'PrometheusRule',
    ]);
    expect(ours.map((o) => o.manifest.kind).sort()).toEqual([
      'AuthorizationPolicy', 'DestinationRule', 'DestinationRule',
      ...Array(10).fill('PeerAuthentication'), 'PrometheusRule',
    ]);
  });

  it('synthesizes each guide manifest with the same namespace, name and spec', () => {
    for (const doc of guide) {
      const candidates = ours.filter((o) => key(o.manifest) === key(doc));
      expect(candidates.length, `no synthesized ${key(doc)}`).toBeGreaterThan(0);
      const specs = candidates.map((o) => o.manifest.spec);
      expect(specs, `spec of ${key(doc)}`).toContainEqual(guideSpecAsWeEmitIt(doc));
    }
  });

  it('synthesizes nothing the guide does not show', () => {
    for (const { chart, manifest } of ours) {
      const same = guide.filter((d) => key(d) === key(manifest))
        .filter((d) => JSON.stringify(sortDeep(guideSpecAsWeEmitIt(d))) === JSON.stringify(sortDeep(manifest.spec)));
      expect(same.length, `${chart}: ${key(manifest)} is not in the guide`).toBeGreaterThan(0);
    }
  });

  it('puts the alternative states of one object in separate charts', () => {
    const byKey = new Map<string, Set<string>>();
    for (const { chart, manifest } of ours) {
      const charts = byKey.get(key(manifest)) ?? new Set();
      expect(charts.has(chart), `${key(manifest)} twice in ${chart}`).toBe(false);
      byKey.set(key(manifest), charts.add(chart));
    }
    expect([...byKey.get('PeerAuthentication istio-system/default')!]).toEqual(['00-mesh-strict', '01-mesh-permissive']);
    expect([...byKey.get('PeerAuthentication production/default')!]).toEqual(['03-namespaces-strict', '04-production-permissive']);
  });

  it('emits v1 where the guide writes v1beta1 (same schema; v1 is the storage version)', () => {
    for (const doc of guide) {
      const [group, version] = String(doc.apiVersion).split('/');
      for (const o of ours.filter((x) => key(x.manifest) === key(doc))) {
        const [ourGroup, ourVersion] = String(o.manifest.apiVersion).split('/');
        expect(ourGroup).toBe(group);
        expect(ourVersion).toBe('v1');
        expect(version).toBe(doc.kind === 'PrometheusRule' ? 'v1' : 'v1beta1');
      }
    }
  });

  it('keeps the guide metadata, except the exception annotations', () => {
    for (const doc of guide) {
      for (const o of ours.filter((x) => key(x.manifest) === key(doc))) {
        if (o.chart === '07-exceptions') continue;
        const { annotations, ...rest } = o.manifest.metadata;
        expect(rest, key(doc)).toEqual(doc.metadata);
        expect(doc.metadata.annotations, key(doc)).toBeUndefined();
        // Our one deliberate addition: where the guide weakens mTLS, the exception's documentation.
        expect(annotations, `${o.chart}: ${key(doc)}`).toEqual(ADDED_EXCEPTIONS[`${o.chart}: ${key(doc)}`]);
      }
    }
  });

  it('documents every weakening the guide shows, with an owner and a review date the guide does not give', () => {
    const weakening = ours.filter(({ manifest: m }) => m.kind === 'PeerAuthentication' && [m.spec.mtls?.mode, ...Object.values<Doc>(m.spec.portLevelMtls ?? {}).map((p) => p.mode)]
      .some((mode) => mode === 'PERMISSIVE' || mode === 'DISABLE'));
    expect(weakening.map((o) => `${o.chart}: ${key(o.manifest)}`).sort()).toEqual([
      ...Object.keys(ADDED_EXCEPTIONS),
      '07-exceptions: PeerAuthentication production/legacy-service-exception',
      '07-exceptions: PeerAuthentication production/payment-processor-exception',
    ].sort());
    for (const { manifest } of weakening) {
      expect(Object.keys(manifest.metadata.annotations)).toEqual(expect.arrayContaining(['mtls.exception/reason', 'mtls.exception/owner', 'mtls.exception/review-by']));
    }
  });

  it('documents the payment-processor exception with our annotation convention', () => {
    const guideDoc = guide.find((d) => d.metadata.name === 'payment-processor-exception')!;
    const ourDoc = ours.find((o) => o.manifest.metadata.name === 'payment-processor-exception')!.manifest;
    // The guide uses a company prefix and `review-date`; we use `mtls.exception/` and `review-by`,
    // and write the ticket its comment names as an annotation too.
    expect(guideDoc.metadata.annotations).toEqual({
      'exception.security.company.com/reason': 'Legacy integration',
      'exception.security.company.com/owner': 'payments-team@company.com',
      'exception.security.company.com/review-date': '2026-06-01',
    });
    expect(ourDoc.metadata.annotations).toEqual({
      'mtls.exception/reason': 'Legacy integration',
      'mtls.exception/owner': 'payments-team@company.com',
      // The guide's 2026-06-01 has passed (an overdue exception fails synthesis): renewed for a year.
      'mtls.exception/review-by': '2027-06-01',
      'mtls.exception/ticket': 'SECURITY-1234',
    });
  });

  it('documents the legacy-service exception the guide leaves undocumented', () => {
    const guideDoc = guide.find((d) => d.metadata.name === 'legacy-service-exception')!;
    const ourDoc = ours.find((o) => o.manifest.metadata.name === 'legacy-service-exception')!.manifest;
    expect(guideDoc.metadata.annotations).toBeUndefined();
    expect(Object.keys(ourDoc.metadata.annotations)).toEqual(['mtls.exception/owner', 'mtls.exception/reason', 'mtls.exception/review-by']);
  });

  it('fails synthesis once the exceptions are overdue', () => {
    expect(() => synthesize(() => new Date('2027-06-02T00:00:00Z'))).toThrow(
      '[07-exceptions/PaymentProcessor] [WorkloadException] mTLS exception "production/payment-processor-exception" owned by payments-team@company.com expired on 2027-06-01 (today is 2027-06-02)');
    let message = '';
    try {
      synthesize(() => new Date('2027-06-02T00:00:00Z'));
    } catch (e) {
      message = (e as Error).message;
    }
    const expired = message.split('\n').filter((l) => l.includes('expired on 2027-06-01')).map((l) => l.trim().split(' ').slice(0, 2).join(' '));
    expect(expired.sort()).toEqual([
      '[01-mesh-permissive/Mesh] [MeshStrictMtls]',
      '[04-production-permissive/Production] [NamespaceMtls]',
      '[06-api-gateway-ports/ApiGateway] [WorkloadMtls]',
      '[07-exceptions/LegacyService] [WorkloadException]',
      '[07-exceptions/PaymentProcessor] [WorkloadException]',
    ]);
  });

  it('is deterministic', () => {
    expect(JSON.stringify(synthesize())).toBe(JSON.stringify(ours));
  });
});

// ---------------------------------------------------------------------------
// Official CRD schemas (structural OpenAPI part; the CEL rules are checked by the validator).

const X_KUBERNETES = [
  'x-kubernetes-validations', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-int-or-string',
  'x-kubernetes-list-type', 'x-kubernetes-list-map-keys', 'x-kubernetes-map-type', 'x-kubernetes-embedded-resource',
];

/** Kubernetes structural schema → JSON Schema: int-or-string, and no unknown fields where properties are given. */
function toJsonSchema(schema: any, closeObject = true): any {
  if (Array.isArray(schema)) return schema.map((s) => toJsonSchema(s, false));
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: any = {};
  for (const [k, v] of Object.entries<any>(schema)) {
    if (k === 'properties') out[k] = Object.fromEntries(Object.entries<any>(v).map(([p, s]) => [p, toJsonSchema(s)]));
    else if (k === 'items' || (k === 'additionalProperties' && typeof v === 'object')) out[k] = toJsonSchema(v);
    else if (k === 'allOf' || k === 'anyOf' || k === 'oneOf' || k === 'not') out[k] = toJsonSchema(v, false);
    else out[k] = v;
  }
  if (out['x-kubernetes-int-or-string'] && !out.anyOf && !out.oneOf) {
    delete out.type;
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (closeObject && out.properties && out.additionalProperties === undefined && !out['x-kubernetes-preserve-unknown-fields']) {
    out.additionalProperties = false;
  }
  return out;
}

/**
 * CRD patterns are Go (RE2) regular expressions; the one construct JavaScript
 * lacks here is the inline case-insensitive flag `(?i)`, which becomes the `i` flag.
 */
const goRegExp = Object.assign(
  (pattern: string, flags: string) => (pattern.includes('(?i)')
    ? new RegExp(pattern.split('(?i)').join(''), flags + 'i')
    : new RegExp(pattern, flags)),
  { code: 'goRegExp' },
);

function crdValidators(): Map<string, ValidateFunction> {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, code: { regExp: goRegExp } });
  ajv.addVocabulary(X_KUBERNETES);
  const validators = new Map<string, ValidateFunction>();
  for (const file of ['istio-crd-all.gen.yaml', 'monitoring.coreos.com_prometheusrules.yaml']) {
    for (const doc of parseAllDocuments(fs.readFileSync(path.join(CRDS, file), 'utf8'))) {
      const crd = doc.toJS();
      if (crd?.kind !== 'CustomResourceDefinition') continue;
      for (const v of crd.spec.versions) {
        const root = toJsonSchema(v.schema.openAPIV3Schema);
        // The API server always allows the object envelope, whether or not the CRD schema lists it.
        root.properties = { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, ...root.properties };
        validators.set(`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`, ajv.compile(root));
      }
    }
  }
  return validators;
}

describe('seed guide against the official CRD schemas', () => {
  let validators: Map<string, ValidateFunction>;
  beforeAll(() => {
    validators = crdValidators();
  });

  const validate = (m: Doc) => {
    const fn = validators.get(`${m.apiVersion}/${m.kind}`);
    expect(fn, `no CRD for ${m.apiVersion} ${m.kind}`).toBeDefined();
    return fn!(m) ? [] : fn!.errors!.map((e) => `${e.instancePath} ${e.message}${e.keyword === 'additionalProperties' ? `: ${e.params.additionalProperty}` : ''}`);
  };

  it('accepts every synthesized manifest', () => {
    for (const { chart, manifest } of synthesize()) {
      expect(validate(manifest), `${chart}: ${key(manifest)}`).toEqual([]);
    }
  });

  it('rejects unknown fields, wrong enums and wrong types (the check can fail)', () => {
    const pa = synthesize().find((o) => o.manifest.kind === 'PeerAuthentication')!.manifest;
    expect(validate({ ...pa, spec: { mtls: { mod: 'STRICT' } } })).toContain('/spec/mtls must NOT have additional properties: mod');
    expect(validate({ ...pa, extra: true })).toEqual([' must NOT have additional properties: extra']);
    expect(validate({ ...pa, spec: { mtls: { mode: 'STRICTER' } } })).toContain('/spec/mtls/mode must be equal to one of the allowed values');
    const rule = synthesize().find((o) => o.manifest.kind === 'PrometheusRule')!.manifest;
    expect(validate({ ...rule, spec: { groups: [{ name: 'g', rules: [{ alert: 'A', expr: { not: 'a string' } }] }] } }))
      .toEqual(expect.arrayContaining(['/spec/groups/0/rules/0/expr must be integer', '/spec/groups/0/rules/0/expr must be string']));
  });
});

function sortDeep(v: any): any {
  if (Array.isArray(v)) return v.map(sortDeep);
  if (typeof v !== 'object' || v === null) return v;
  return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortDeep(v[k])]));
}
