import { analyzeMesh } from '../../src/analysis';
import { Finding } from '../../src/model/finding';
import { Manifest } from '../../src/model/manifest';
import { buildMeshModel } from '../../src/model/mesh-model';
import { MeshOptions } from '../../src/model/mesh-options';

export * from '../resolution/helpers';

/** The findings of one rule code over a mesh. */
export function findings(code: string, manifests: Manifest[], options: MeshOptions = {}): Finding[] {
  return analyzeMesh(buildMeshModel(manifests, { now: new Date('2026-06-15T12:00:00Z'), ...options }), { only: [code] });
}

export const sel = (labels: Record<string, string>) => ({ selector: { matchLabels: labels } });
export const tls = (mode: string) => ({ trafficPolicy: { tls: { mode } } });
