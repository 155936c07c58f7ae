import * as fs from 'fs';
import { describe, expect, it } from 'vitest';
import { Finding } from '../../../src/model/finding';
import { refOf } from '../../../src/model/manifest';
import { ISTIO_WEBHOOK_RULES, validateIstioWebhook } from '../../../src/validation/istio';
import { REALWORLD, RealworldDoc, realworldDocs } from '../../realworld';

const KINDS = ['PeerAuthentication', 'AuthorizationPolicy', 'DestinationRule'];

interface Doc extends RealworldDoc {
  readonly findings: Finding[];
}

function loadCorpus(): Doc[] {
  return realworldDocs().filter((d) => KINDS.includes(String(d.manifest.kind)))
    .map((d) => ({ ...d, findings: validateIstioWebhook(d.manifest, refOf(d.manifest)) }));
}

/** Webhook-only rejections the corpus README documents for files the CRD schema accepts. */
const DOCUMENTED_WEBHOOK_ERRORS = [
  { file: 'kyverno__policies/istio__enforce-tls-hosts-host-subnets__.chainsaw-test__dr-good.yaml', name: 'good-dr01', code: 'IMV626' },
];

const codesOf = (docs: Doc[], file: string, name: string): string[] =>
  docs.filter((d) => d.file.endsWith(file) && (d.manifest.metadata as { name?: string }).name === name).flatMap((d) => d.findings.map((f) => f.code));

describe.skipIf(!fs.existsSync(REALWORLD))('Istio webhook layer on the real-world corpus', () => {
  const docs = fs.existsSync(REALWORLD) ? loadCorpus() : [];
  const known = new Set(ISTIO_WEBHOOK_RULES.map((r) => r.code));

  it('reads a corpus of all three kinds', () => {
    for (const kind of KINDS) expect(docs.filter((d) => d.manifest.kind === kind).length).toBeGreaterThan(20);
  });

  it('only produces catalogued webhook codes', () => {
    for (const d of docs) {
      for (const f of d.findings) {
        expect(known.has(f.code)).toBe(true);
        expect(f.category).toBe('webhook');
      }
    }
  });

  it('finds no error in the valid files besides the documented webhook-only case', () => {
    const unexpected = docs
      .filter((d) => !/-invalid\.yaml$/.test(d.file))
      .flatMap((d) => d.findings.filter((f) => f.severity === 'error').map((f) => ({ file: d.file, name: (d.manifest.metadata as { name?: string }).name, code: f.code, message: f.message })))
      .filter((e) => !DOCUMENTED_WEBHOOK_ERRORS.some((k) => e.file === k.file && e.name === k.name && e.code === k.code));
    expect(unexpected).toEqual([]);
  });

  it('flags kyverno good-dr01 (MUTUAL without client certificate), which only the webhook rejects', () => {
    expect(codesOf(docs, 'dr-good.yaml', 'good-dr01')).toEqual(['IMV626']);
  });

  it('accepts the CUSTOM policies whose providers live in meshConfig outside the corpus', () => {
    const custom = docs.filter((d) => (d.manifest.spec as { action?: string } | undefined)?.action === 'CUSTOM');
    expect(custom.length).toBeGreaterThan(0);
    for (const d of custom) expect(d.findings.filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('rejects the invalid istio/istio test documents it is responsible for', () => {
    expect(codesOf(docs, 'peerauth-invalid.yaml', 'port-level-global')).toEqual(['IMV401']);
    expect(codesOf(docs, 'peerauth-invalid.yaml', 'zero-port')).toEqual(['IMV402']);
    expect(codesOf(docs, 'peerauth-invalid.yaml', 'high-port')).toEqual(['IMV402']);
    expect(codesOf(docs, 'peerauth-invalid.yaml', 'bad-port')).toEqual(['IMV402']);
    expect(codesOf(docs, 'peerauth-invalid.yaml', 'empty-port-level')).toEqual(['IMV408']);
    expect(codesOf(docs, 'authz-invalid.yaml', 'service-account-and-namespace')).toEqual(['IMV516']);
    expect(codesOf(docs, 'authz-invalid.yaml', 'service-account-and-namespace-principal')).toEqual(['IMV516']);
    expect(codesOf(docs, 'destinationrule-invalid.yaml', 'bookinfo-ratings')).toEqual(['IMV622', 'IMV621', 'IMV622']);
  });
});
