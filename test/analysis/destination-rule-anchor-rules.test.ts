import { describe, expect, it } from 'vitest';
import { deploy, dr, ns, pa, svc } from './helpers';
import { Manifest } from '../../src/model/manifest';
import { buildMeshModel } from '../../src/model/mesh-model';
import { explainMesh, lookupDestinationRule, resolveClientTls } from '../../src/resolution';

const tls = (mode: string) => ({ trafficPolicy: { tls: { mode } } });

/** shop/web calls shop/api (port 80 → 8080); both with sidecars. */
const shop: Manifest[] = [
  ns('shop'),
  deploy('shop', 'web', { labels: { app: 'web' } }),
  deploy('shop', 'api', { ports: [8080] }),
  svc('shop', 'api', { app: 'api' }, [{ port: 80, targetPort: 8080 }]),
];
const API = 'api.shop.svc.cluster.local';

function webToApi(extra: Manifest[]) {
  const model = buildMeshModel([...shop, ...extra]);
  const e = explainMesh(model, { connections: true, connectionScope: 'all' });
  const conn = e.connections!.find((c) => c.from.name === 'web' && c.to.service === 'api')!;
  const client = resolveClientTls(model, model.workloads.find((w) => w.name === 'web')!, model.services[0], 80);
  return { conn, client, model };
}

describe('competing DestinationRules in the resolution: a choice only age decides is never settled by name', () => {
  it('two merged rules with different top-level tls: explain says ambiguous, lists both rules and names none', () => {
    const { conn, client } = webToApi([pa('shop', 'default', { mtls: { mode: 'PERMISSIVE' } }),
      dr('shop', 'a-mtls', { host: 'api', ...tls('ISTIO_MUTUAL') }), dr('shop', 'b-plain', { host: 'api', ...tls('DISABLE') })]);
    expect(conn).toMatchObject({ tls: 'ambiguous', possibleTls: ['mtls', 'plaintext'], outcome: 'ok', destinationRule: null });
    expect(conn.competingDestinationRules).toEqual([{ namespace: 'shop', name: 'a-mtls' }, { namespace: 'shop', name: 'b-plain' }]);
    expect(conn.reason).toContain('DestinationRules shop/a-mtls, shop/b-plain merge differently depending on which is oldest (the client sends mtls or plaintext)');
    // The client-side answer is the least protected one, never mTLS by name order.
    expect(client).toMatchObject({ tls: 'plaintext', possibleTls: ['mtls', 'plaintext'] });
  });

  it('against a STRICT port the contested call fails: never a false STRICT success', () => {
    const { conn } = webToApi([pa('shop', 'default', { mtls: { mode: 'STRICT' } }),
      dr('shop', 'a-mtls', { host: 'api', ...tls('ISTIO_MUTUAL') }), dr('shop', 'b-plain', { host: 'api', ...tls('DISABLE') })]);
    expect(conn).toMatchObject({ tls: 'ambiguous', outcome: 'fails', destinationRule: null });
  });

  it('the contest is the same whatever the rules are named (swapped names give the same answer)', () => {
    const { client } = webToApi([dr('shop', 'a-plain', { host: 'api', ...tls('DISABLE') }), dr('shop', 'b-mtls', { host: 'api', ...tls('ISTIO_MUTUAL') })]);
    expect(client).toMatchObject({ tls: 'plaintext', possibleTls: ['mtls', 'plaintext'] });
  });

  it('trap: two rules that merge cleanly (one top-level policy, distinct subsets) are decided: the policy holder wins whatever its age', () => {
    const { conn, client } = webToApi([
      dr('shop', 'a-subsets', { host: 'api', subsets: [{ name: 'v1', labels: { version: 'v1' } }] }),
      dr('shop', 'b-policy', { host: 'api', ...tls('DISABLE'), subsets: [{ name: 'v2', labels: { version: 'v2' } }] }),
    ]);
    expect(conn).toMatchObject({ tls: 'plaintext', destinationRule: { namespace: 'shop', name: 'b-policy' } });
    expect(conn.competingDestinationRules).toBeUndefined();
    expect(conn.possibleTls).toBeUndefined();
    // Before the merge was followed, the rule first by name (a-subsets, no tls) made it auto mTLS.
    expect(client).toMatchObject({ tls: 'plaintext', source: 'destination-rule' });
  });

  it('rules of one host that do not merge (exportTo differs): the sidecar uses the newest, so the choice is ambiguous', () => {
    const { conn } = webToApi([pa('shop', 'default', { mtls: { mode: 'PERMISSIVE' } }),
      dr('shop', 'private', { host: 'api', exportTo: ['.'], ...tls('DISABLE') }),
      dr('shop', 'public', { host: 'api', exportTo: ['*'], ...tls('ISTIO_MUTUAL') })]);
    expect(conn).toMatchObject({ tls: 'ambiguous', possibleTls: ['mtls', 'plaintext'], destinationRule: null });
  });

  it('trap: a workloadSelector rule beats the namespace-wide one for its workloads, whatever their age', () => {
    const { conn } = webToApi([
      dr('shop', 'for-web', { host: 'api', workloadSelector: { matchLabels: { app: 'web' } }, ...tls('ISTIO_MUTUAL') }),
      dr('shop', 'everyone', { host: 'api', ...tls('DISABLE') }),
    ]);
    expect(conn).toMatchObject({ tls: 'mtls', destinationRule: { namespace: 'shop', name: 'for-web' } });
    expect(conn.competingDestinationRules).toBeUndefined();
  });

  it('the lookup still names a rule (the first by name, for display) and lists the others as competing', () => {
    const model = buildMeshModel([...shop, dr('shop', 'b', { host: 'api', ...tls('DISABLE') }), dr('shop', 'a', { host: API, ...tls('ISTIO_MUTUAL') })]);
    const lookup = lookupDestinationRule(model, { namespace: 'shop' }, API, 'shop');
    expect(lookup.rule?.name).toBe('a');
    expect(lookup.competing.map((d) => d.name)).toEqual(['b']);
    expect(lookup.consulted?.rules.map((d) => d.name)).toEqual(['a', 'b']);
  });
});
