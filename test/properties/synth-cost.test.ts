/**
 * cdk8s runs every validation of an app once per chart it synthesizes. Our
 * validations (the app-level validation and analysis, and the constructs' own
 * checks) must run once per synth of an unchanged tree, and see changes.
 */
import { ApiObject, Chart, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { MtlsValidation } from '../../src/cdk8s/mtls-validation';
import { ServiceAccess, WorkloadException } from '../../src/constructs';
import { AccessAction, MtlsMode, WorkloadSelector } from '../../src/vocabulary';

describe('validation cost per synth', () => {
  it('runs construct checks and the app analysis once per synth however many charts', async () => {
    const app = Testing.app();
    let clockCalls = 0;
    let batches = 0;
    MtlsValidation.enable(app, { onWarnings: () => batches++ });
    for (let i = 0; i < 50; i++) {
      const chart = new Chart(app, `ns-${i}`, { namespace: `ns-${i}` });
      new WorkloadException(chart, 'Ex', {
        selector: WorkloadSelector.of({ app: 'a' }),
        mode: MtlsMode.PERMISSIVE,
        reason: 'r',
        owner: 'o',
        reviewBy: '2030-06-01',
        clock: () => {
          clockCalls++;
          return new Date('2030-01-01T00:00:00Z');
        },
      });
      // An undocumented weakening: one warning per synth, so the analysis runs can be counted.
      if (i === 0) {
        new ApiObject(chart, 'Weak', {
          apiVersion: 'security.istio.io/v1',
          kind: 'PeerAuthentication',
          metadata: { name: 'weak' },
          spec: { selector: { matchLabels: { app: 'b' } }, mtls: { mode: 'PERMISSIVE' } },
        });
        new ApiObject(chart, 'B', {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'b' },
          spec: { selector: { matchLabels: { app: 'b' } }, template: { metadata: { labels: { app: 'b' } }, spec: { containers: [{ name: 'b', image: 'b' }] } } },
        });
      }
    }
    // Creating an exception reads its clock once, for the review horizon; count the synths' reads only.
    clockCalls = 0;
    app.synthYaml();
    expect(clockCalls).toBe(50);
    expect(batches).toBe(1);
    // The next synth (a later tick) runs them again, once.
    await Promise.resolve();
    app.synthYaml();
    expect(clockCalls).toBe(100);
    expect(batches).toBe(2);
  });

  it('sees a rule added between two synths of the same tick', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c', { namespace: 'prod' });
    const access = new ServiceAccess(chart, 'Access', { selector: WorkloadSelector.of({ app: 'a' }), action: AccessAction.DENY });
    expect(() => app.synthYaml()).toThrow(/has no rules/);
    access.addRule({ methods: ['POST'] });
    expect(() => app.synthYaml()).not.toThrow();
  });

  it('sees an exception that expires between two synths', async () => {
    const app = Testing.app();
    let now = new Date('2030-01-01T00:00:00Z');
    new WorkloadException(new Chart(app, 'c', { namespace: 'prod' }), 'Ex', {
      selector: WorkloadSelector.of({ app: 'a' }), mode: MtlsMode.DISABLE, reason: 'r', owner: 'o', reviewBy: '2030-06-01', clock: () => now,
    });
    expect(() => app.synthYaml()).not.toThrow();
    await Promise.resolve();
    now = new Date('2030-07-01T00:00:00Z');
    expect(() => app.synthYaml()).toThrow(/expired on 2030-06-01/);
  });
});
