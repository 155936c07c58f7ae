/**
 * A value of an unexpected type never crashes a check. Every field of a valid
 * manifest of each kind the engine reads (unexpected-types.bases.ts) is
 * replaced in turn by a value of each JSON type and a few hostile ones; each
 * such manifest goes, with the other bases, through
 *   - validateManifest (object metadata, CRD schema and CEL, webhook);
 *   - lint(), which validates every object and analyses those the cluster would store;
 *   - buildMeshModel + analyzeMesh of all objects, rejected ones included (the
 *     library's callers may not validate first);
 *   - explainMesh with connections, over the same model.
 * Nothing may throw, and no check may report that it crashed (IMV001, or a
 * layer's own "failed" message).
 */
import { describe, expect, it } from 'vitest';
import { unexpectedTypeBases } from './unexpected-types.bases';
import { analyzeMesh } from '../../src/analysis/analyze';
import { lint } from '../../src/lint';
import { Finding } from '../../src/model/finding';
import { Manifest } from '../../src/model/manifest';
import { buildMeshModel } from '../../src/model/mesh-model';
import { explainMesh } from '../../src/resolution/explain';
import { validateManifest } from '../../src/validation/validate';

/** One value of each JSON type, and objects and lists whose members shadow what JavaScript looks up on every object. */
const VALUES: readonly unknown[] = [
  null, 42, 1.5, 'x', true, [], ['x', 1, null, {}], {}, { a: { b: 1 } },
  { toString: 'x', valueOf: 1, hasOwnProperty: 'y', constructor: 'z' }, [{ toString: 1 }], JSON.parse('{"__proto__": {"a": 1}}'),
];
/** The values the whole mesh is analysed with (one analysis costs milliseconds): one of each JSON type, and a hostile object. */
const MESH_VALUES: readonly unknown[] = [null, 42, 'x', true, ['x', 1, null, {}], {}, { toString: 'x', valueOf: 1, hasOwnProperty: 'y', constructor: 'z' }];

/** Kinds whose pod template is the Deployment's and the Pod's: their template's fields are mutated there only. */
const SAME_TEMPLATE = new Set(['StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'ReplicationController']);

type Path = readonly (string | number)[];

/** Every path of a JSON value, the root included. */
function pathsOf(v: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  out.push(prefix);
  if (Array.isArray(v)) v.forEach((x, i) => pathsOf(x, [...prefix, i], out));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) pathsOf(x, [...prefix, k], out);
  return out;
}

/** A copy of `root` with the value at `path` replaced. */
function replaced(root: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node = copy;
  for (const k of path.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
  node[path[path.length - 1]] = value;
  return copy;
}

/** A check that crashed and said so instead of throwing. */
function crashReports(findings: readonly Finding[]): string[] {
  return findings
    .filter((f) => f.code === 'IMV001' || /validator failed|internal error|parser failed/.test(f.message))
    .map((f) => `${f.code} ${f.message}`);
}

function describeValue(v: unknown): string {
  return v === null || typeof v !== 'object' ? JSON.stringify(v) : Array.isArray(v) ? `list ${JSON.stringify(v)}` : `object ${JSON.stringify(v)}`;
}

const BASES = unexpectedTypeBases();

describe('values of unexpected types', () => {
  it('start from manifests the cluster accepts', () => {
    const errors = BASES.flatMap((m) => validateManifest(m)).filter((f) => f.severity === 'error');
    expect(errors).toEqual([]);
  });

  for (let b = 0; b < BASES.length; b++) {
    const base = BASES[b] as { kind: string; metadata: { name: string } };
    it(`never crash a check of ${base.kind} ${base.metadata.name}, whatever field holds them`, () => {
      const crashes: string[] = [];
      const attempt = (what: string, stage: string, f: () => Finding[] | void) => {
        try {
          for (const report of crashReports(f() ?? [])) crashes.push(`${what}: ${stage} reported ${report}`);
        } catch (e) {
          crashes.push(`${what}: ${stage} threw ${(e as Error).stack?.split('\n').slice(0, 3).join(' | ')}`);
        }
      };
      // lint() analyses the other bases alone whenever the mutant is rejected: once per base is enough.
      let lintedWithoutMutant = false;
      const paths = pathsOf(base).filter((p) => !SAME_TEMPLATE.has(base.kind) || !p.includes('template') || p[p.length - 1] === 'template');
      for (const path of paths) {
        for (const value of VALUES) {
          const mutant = replaced(base, path, value) as Manifest;
          const what = `${base.kind} ${base.metadata.name} /${path.join('/')} = ${describeValue(value)}`;
          let rejected = false;
          attempt(what, 'validateManifest', () => {
            const findings = validateManifest(mutant);
            rejected = findings.some((f) => f.severity === 'error');
            return findings;
          });
          if (!MESH_VALUES.includes(value)) continue;
          const mesh = BASES.map((m, i) => (i === b ? mutant : m));
          if (!rejected || !lintedWithoutMutant) {
            // Only throws count: lint's validation is validateManifest's, checked above.
            attempt(what, 'lint', () => void lint(mesh.map((manifest) => ({ manifest }))));
            lintedWithoutMutant ||= rejected;
          }
          attempt(what, 'buildMeshModel, analyzeMesh or explainMesh', () => {
            const model = buildMeshModel(mesh);
            analyzeMesh(model);
            explainMesh(model, { connections: true });
          });
        }
      }
      expect(crashes).toEqual([]);
    });
  }
});
