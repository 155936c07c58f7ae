import * as fs from 'fs';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../src/analysis/analyze';
import { AnalysisContext } from '../../src/analysis/context';
import { compareFindings, Finding } from '../../src/model/finding';
import { Manifest } from '../../src/model/manifest';
import { buildMeshModel, MeshModel } from '../../src/model/mesh-model';
import { REALWORLD, realworldDocs } from '../realworld';
import { deploy, dr, ns, pa, svc } from '../resolution/helpers';

/*
 * The analysis keeps the resolved facts of the namespaces it used last only:
 * facts dropped and computed again must give the same findings. With one or
 * two namespaces kept, facts are dropped and computed again all the time.
 */

function findings(model: MeshModel, namespaces?: number): Finding[] {
  const ctx = new AnalysisContext(model, namespaces);
  return RULES.flatMap((r) => r.check(ctx)).sort(compareFindings);
}

describe('analysis with few namespaces of resolved facts kept', () => {
  it('finds the same across namespaces that call each other', () => {
    const manifests: Manifest[] = [pa('istio-system', 'default', { mtls: { mode: 'STRICT' } })];
    for (let i = 0; i < 6; i++) {
      const n = `ns-${i}`;
      manifests.push(ns(n), deploy(n, 'api', { ports: [{ port: 8080, name: 'http' }, 9090] }), svc(n, 'api', { app: 'api' }, [{ port: 80, targetPort: 'http', name: 'http' }]));
      if (i % 2 === 0) manifests.push(pa(n, 'api', { selector: { matchLabels: { app: 'api' } }, portLevelMtls: { 80: { mode: 'DISABLE' }, 9090: { mode: 'PERMISSIVE' } } }));
      manifests.push(dr(n, 'next', { host: `api.ns-${(i + 1) % 6}.svc.cluster.local`, trafficPolicy: { tls: { mode: i % 3 === 0 ? 'DISABLE' : 'ISTIO_MUTUAL' } } }));
    }
    const model = buildMeshModel(manifests);
    const all = findings(model);
    expect(all.length).toBeGreaterThan(3);
    expect(findings(model, 1)).toEqual(all);
    expect(findings(model, 2)).toEqual(all);
  });

  it.skipIf(!fs.existsSync(REALWORLD))('finds the same over every real-world manifest as one mesh', () => {
    const manifests = realworldDocs().map((d) => d.manifest);
    const model = buildMeshModel(manifests, { now: new Date('2026-01-01') });
    const all = findings(model);
    expect(all.length).toBeGreaterThan(10);
    expect(findings(model, 1)).toEqual(all);
  });
});
