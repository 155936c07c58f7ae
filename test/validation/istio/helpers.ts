import { expect } from 'vitest';
import { Finding } from '../../../src/model/finding';
import { Manifest, refOf } from '../../../src/model/manifest';
import { validateIstioWebhook } from '../../../src/validation/istio';

type Spec = Record<string, unknown>;
type Meta = Record<string, unknown>;

export function peerAuthentication(spec: Spec, metadata: Meta = {}): Manifest {
  return { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'pa', namespace: 'shop', ...metadata }, spec };
}

export function authorizationPolicy(spec: Spec, metadata: Meta = {}): Manifest {
  return { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'ap', namespace: 'shop', ...metadata }, spec };
}

export function destinationRule(spec: Spec, metadata: Meta = {}): Manifest {
  return { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'dr', namespace: 'shop', ...metadata }, spec };
}

export function findings(manifest: Manifest): Finding[] {
  return validateIstioWebhook(manifest, refOf(manifest));
}

export function codes(manifest: Manifest): string[] {
  return findings(manifest).map((f) => f.code);
}

/** One code, one manifest Istio rejects (or warns about) and one close to it that it accepts. */
export interface RuleCase {
  readonly code: string;
  readonly name: string;
  readonly reject: Manifest;
  readonly accept: Manifest;
  /** The JSON pointer the finding must carry. */
  readonly path?: string;
}

/** Asserts that the rejected manifest carries the code (at the path) and the accepted one does not carry it. */
export function assertCase(c: RuleCase): void {
  const rejected = findings(c.reject);
  const hits = rejected.filter((f) => f.code === c.code);
  expect(hits.map((f) => f.code), `${c.code} expected in ${JSON.stringify(rejected.map((f) => [f.code, f.path, f.message]))}`).toContain(c.code);
  if (c.path !== undefined) expect(hits.map((f) => f.path)).toContain(c.path);
  for (const f of hits) {
    expect(f.category).toBe('webhook');
    expect(f.message).not.toMatch(/\n/);
    expect(f.fix).toBeTruthy();
  }
  expect(codes(c.accept), `${c.code} must not fire on the accepted variant`).not.toContain(c.code);
}
