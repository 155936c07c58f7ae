import { describe, expect, test } from 'vitest';
import { check, corpusDocs, errors } from './support';
import { refOf } from '../../../src/model/manifest';
import { builtinSchemaSet } from '../../../src/validation/schema';

const INVALID_FILES = [
  'istio__istio/pkg__config__validation__testdata__crds__authz-invalid.yaml',
  'istio__istio/pkg__config__validation__testdata__crds__destinationrule-invalid.yaml',
  'istio__istio/pkg__config__validation__testdata__crds__peerauth-invalid.yaml',
];
/** README caveat: uses a field added after Istio 1.30.3. */
const SKEWED = { file: 'istio__istio/pkg__config__validation__testdata__crds__destinationrule-valid.yaml', index: 3 };

const docs = corpusDocs().filter((d) => builtinSchemaSet().has(refOf(d.manifest).apiVersion, refOf(d.manifest).kind));
const valid = docs.filter((d) => !INVALID_FILES.includes(d.file) && !(d.file === SKEWED.file && d.index === SKEWED.index));
const invalid = docs.filter((d) => INVALID_FILES.includes(d.file));

describe('real-world corpus', () => {
  test('holds the documents the README counts', () => {
    expect(invalid).toHaveLength(11);
    expect(docs.length).toBeGreaterThan(240);
  });
  test.each(valid.map((d) => [`${d.file}#${d.index}`, d]))('valid: %s', (_name, d) => {
    expect(errors(check(d.manifest)).map((f) => f.message)).toEqual([]);
  });
  test.each(invalid.map((d) => [`${d.file}#${d.index}`, d]))('rejected: %s', (_name, d) => {
    expect(errors(check(d.manifest)).length).toBeGreaterThan(0);
  });
  test('the version-skewed DestinationRule is rejected for exactly its unknown field', () => {
    const d = docs.find((x) => x.file === SKEWED.file && x.index === SKEWED.index)!;
    expect(check(d.manifest).map((f) => `${f.code} ${f.path}`)).toEqual(['IMV201 /spec/trafficPolicy/connectionPool/http/http2KeepAlive']);
  });
  test('the invalid files fail for the reasons their _err keys give', () => {
    const messages = invalid.map((d) => errors(check(d.manifest)).map((f) => `${f.code} ${f.message}`).join(' | '));
    expect(messages).toEqual([
      'IMV301 spec.rules[0].from[0].source: Cannot set serviceAccounts with namespaces or principals',
      'IMV301 spec.rules[0].from[0].source: Cannot set serviceAccounts with namespaces or principals',
      'IMV209 spec.trafficPolicy.loadBalancer.warmup.minimumPercent: 150 is above the maximum 100',
      'IMV203 spec.trafficPolicy.loadBalancer.warmup.duration: required field is missing',
      'IMV209 spec.trafficPolicy.loadBalancer.warmup.aggression: -0.1 is below the minimum 0',
      'IMV204 spec.mtls.mode: unsupported value "BLAH"; allowed: UNSET, DISABLE, PERMISSIVE, STRICT',
      'IMV302 spec.portLevelMtls: CRD rule `self.all(key, 0 < int(key) && int(key) <= 65535)` failed to evaluate on {"acd":{"mode":"STRICT"}}: int() type error: cannot convert to int',
      'IMV301 spec: portLevelMtls requires selector',
      'IMV208 spec.portLevelMtls: 0 entries; at least 1 required',
      'IMV301 spec.portLevelMtls: port must be between 1-65535',
      'IMV301 spec.portLevelMtls: port must be between 1-65535',
    ]);
  });
});
