import * as fs from 'fs';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { renderRulesDoc } from '../../scripts/lib/rules-doc';
import { upstreamOf } from '../../src/model/upstream';
import { ALL_RULES } from '../../src/rules-catalog';

const RULES_MD = path.resolve(__dirname, '..', '..', 'RULES.md');

describe('RULES.md', () => {
  it('is what `npm run rules-doc` generates from the rule catalogues (run it if this fails)', () => {
    expect(fs.existsSync(RULES_MD), 'RULES.md is missing: run `npm run rules-doc`').toBe(true);
    const committed = fs.readFileSync(RULES_MD, 'utf8');
    expect(committed === renderRulesDoc(), 'RULES.md is stale: run `npm run rules-doc` and commit it').toBe(true);
  });

  it('lists every code once, with its severity', () => {
    const doc = renderRulesDoc();
    for (const r of ALL_RULES) {
      const rows = doc.split('\n').filter((l) => l.startsWith(`| ${r.code} |`));
      expect(rows, r.code).toHaveLength(1);
      expect(rows[0]).toContain(`| ${r.severity} |`);
    }
  });
});

describe('upstream versions', () => {
  it('names, for every rule, the upstream release it follows (a project and a version number)', () => {
    for (const r of ALL_RULES) {
      const upstream = upstreamOf(r);
      if (r.category === 'internal') continue; // about istio-mtls itself
      expect(upstream, r.code).toMatch(/\b(Istio|Kubernetes|Prometheus|prometheus-operator|cdk8s|Kiali)\b.*\d+\.\d+/);
    }
  });

  it('shows it in RULES.md', () => {
    const doc = renderRulesDoc();
    const row = doc.split('\n').find((l) => l.startsWith('| IMV401 |'))!;
    expect(row.endsWith(`| ${upstreamOf(ALL_RULES.find((r) => r.code === 'IMV401')!)} |`)).toBe(true);
    expect(row).toContain('Istio 1.30.3');
  });
});
