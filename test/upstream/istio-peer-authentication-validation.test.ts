/*
 * PeerAuthentication webhook validation, from upstream's tests (istio/istio 1.30.3):
 * pkg/config/validation/validation_test.go TestValidatePeerAuthentication,
 * every case, as a PeerAuthentication manifest (namespace "bar", the case's
 * config name) through validateManifest: object metadata, CRD schema and
 * CEL, then the webhook, as the cluster checks it. `valid` is "no error";
 * `warning` is "a webhook warning", as upstream checks both.
 *
 * "empty port level mtls" is rejected by the CRD schema first (portLevelMtls
 * has minProperties: 1, IMV208), as in the cluster; the webhook rejects it too.
 *
 * Upstream cases not ported: none.
 */
import { describe, expect, it } from 'vitest';
import { Manifest, refOf } from '../../src/model/manifest';
import { validateIstioWebhook } from '../../src/validation/istio';
import { validateManifest } from '../../src/validation/validate';

const T_PA = 'pkg/config/validation/validation_test.go TestValidatePeerAuthentication';

interface Row {
  readonly source: string;
  readonly manifest: Manifest;
  readonly valid: boolean;
  readonly warning: boolean;
}

const pa = (name: string, spec: Record<string, unknown>): Manifest => ({
  apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name, namespace: 'bar' }, spec,
});
const httpbin = { matchLabels: { app: 'httpbin' } };

const ROWS: Row[] = [
  { source: `${T_PA} "empty spec"`, manifest: pa('default', {}), valid: true, warning: false },
  { source: `${T_PA} "empty mtls with selector of empty labels"`, manifest: pa('default', { selector: {} }), valid: true, warning: true },
  { source: `${T_PA} "empty spec with non default name"`, manifest: pa('foo', {}), valid: true, warning: false },
  { source: `${T_PA} "default name with non empty selector"`, manifest: pa('default', { selector: httpbin }), valid: true, warning: false },
  { source: `${T_PA} "empty port level mtls"`, manifest: pa('foo', { selector: httpbin, portLevelMtls: {} }), valid: false, warning: false },
  {
    source: `${T_PA} "empty selector with port level mtls"`,
    manifest: pa('default', { portLevelMtls: { 8080: { mode: 'UNSET' } } }),
    valid: false,
    warning: false,
  },
  { source: `${T_PA} "port 0"`, manifest: pa('foo', { portLevelMtls: { 0: { mode: 'UNSET' } } }), valid: false, warning: false },
  { source: `${T_PA} "unset mode"`, manifest: pa('default', { mtls: { mode: 'UNSET' } }), valid: true, warning: false },
  {
    source: `${T_PA} "port level"`,
    manifest: pa('port-level', { selector: httpbin, portLevelMtls: { 8080: { mode: 'UNSET' } } }),
    valid: true,
    warning: false,
  },
];

describe('Istio 1.30.3 TestValidatePeerAuthentication, through validateManifest', () => {
  for (const row of ROWS) {
    it(row.source, () => {
      // upstream calls the webhook function: the webhook stage alone must agree as well as the whole pipeline
      for (const findings of [validateManifest(row.manifest), validateIstioWebhook(row.manifest, refOf(row.manifest))]) {
        const shown = findings.map((f) => `${f.code} ${f.path} ${f.message}`).join('\n');
        expect(!findings.some((f) => f.severity === 'error'), shown).toBe(row.valid);
        expect(findings.some((f) => f.severity === 'warning' && f.category === 'webhook'), shown).toBe(row.warning);
      }
    });
  }
});
