import { describe, expect, it } from 'vitest';
import { deploy, DISABLE, dr, findings, ns, pa, PERMISSIVE, sel, STRICT, svc, tls } from './helpers';
import { Manifest } from '../../src/model/manifest';

const TLS_MODE = 'security.istio.io/tlsMode';

function se(namespace: string, name: string, spec: Record<string, unknown>): Manifest {
  return { apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name, namespace }, spec };
}

function we(namespace: string, name: string, spec: Record<string, unknown>, metadataLabels?: Record<string, string>): Manifest {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'WorkloadEntry',
    metadata: { name, namespace, ...(metadataLabels ? { labels: metadataLabels } : {}) },
    spec,
  };
}

/** SEMANTICS §4 example 1: a VM behind a ServiceEntry that does not write `location`. */
const vmEntry = (extra: Record<string, unknown> = {}) => se('vms', 'vm-api', {
  hosts: ['vm-api.corp'],
  ports: [{ number: 8080, name: 'http', protocol: 'HTTP' }],
  resolution: 'STATIC',
  workloadSelector: { labels: { app: 'vm-api' } },
  ...extra,
});
const vm = (spec: Record<string, unknown> = {}, metadataLabels?: Record<string, string>) =>
  we('vms', 'vm-1', { address: '10.1.2.3', serviceAccount: 'vm-api', labels: { app: 'vm-api' }, ...spec }, metadataLabels);
const vmStrict = pa('vms', 'vm-strict', { ...sel({ app: 'vm-api' }), ...STRICT });

describe('IMA028 service-entry-mesh-external', () => {
  it('Compliance: MESH_INTERNAL over a VM with a proxy; MESH_EXTERNAL over a real external host', () => {
    expect(findings('IMA028', [vmEntry({ location: 'MESH_INTERNAL' }), vm(), vmStrict])).toEqual([]);
    expect(findings('IMA028', [se('shop', 'payments', {
      hosts: ['api.payments.example'], ports: [{ number: 443, name: 'tls', protocol: 'TLS' }], resolution: 'DNS', location: 'MESH_EXTERNAL',
    }), pa('istio-system', 'default', STRICT)])).toEqual([]);
  });

  it('Noncompliance 1: SEMANTICS §4 example 1, location not written over a STRICT VM: error naming the default', () => {
    const f = findings('IMA028', [vmEntry(), vm(), vmStrict]);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'error', category: 'service-entry-mesh-external', path: '/spec/location' });
    expect(f[0].resource).toMatchObject({ kind: 'ServiceEntry', namespace: 'vms', name: 'vm-api' });
    expect(f[0].message).toBe('ServiceEntry vms/vm-api (vm-api.corp) is MESH_EXTERNAL (location not written: the default) but its endpoints are mesh '
      + 'workloads: WorkloadEntry vms/vm-1 (10.1.2.3:8080) is STRICT (PeerAuthentication vms/vm-strict) for its labels; auto mTLS never applies '
      + 'to a MESH_EXTERNAL host and no DestinationRule tls applies to the port, so client sidecars send plaintext and the STRICT endpoints refuse it');
    expect(f[0].fix).toContain('location: MESH_INTERNAL');
    expect(f[0].related).toEqual([
      expect.objectContaining({ kind: 'PeerAuthentication', name: 'vm-strict' }),
      expect.objectContaining({ kind: 'WorkloadEntry', name: 'vm-1' }),
    ]);
  });

  it('Noncompliance 2: location written MESH_EXTERNAL over selected pods with sidecars, PERMISSIVE: warning', () => {
    const f = findings('IMA028', [ns('shop'), deploy('shop', 'api', { ports: [{ port: 8080, name: 'http' }] }),
      se('shop', 'api-alias', {
        hosts: ['api.shop.internal'],
        ports: [{ number: 80, name: 'http', protocol: 'HTTP' }],
        location: 'MESH_EXTERNAL',
        resolution: 'STATIC',
        workloadSelector: { labels: { app: 'api' } },
      })]);
    expect(f).toHaveLength(1);
    expect(f[0].severity).toBe('warning');
    expect(f[0].message).toContain('is MESH_EXTERNAL (written)');
    expect(f[0].message).toContain('Deployment shop/api:8080 is PERMISSIVE (Istio default)');
    expect(f[0].message).toContain('which they accept unencrypted and without client identity');
  });

  it('Noncompliance 3: inline endpoints with a serviceAccount under a STRICT mesh', () => {
    const f = findings('IMA028', [pa('istio-system', 'default', STRICT), se('vms', 'db', {
      hosts: ['db.corp'],
      ports: [{ number: 5432, name: 'tcp', protocol: 'TCP' }],
      resolution: 'STATIC',
      endpoints: [{ address: '10.0.0.7', serviceAccount: 'db' }, { address: '10.0.0.8' }],
    })]);
    expect(f).toHaveLength(1);
    expect(f[0].severity).toBe('error');
    expect(f[0].message).toContain('endpoint 0 (10.0.0.7:5432) is STRICT (PeerAuthentication istio-system/default)');
    expect(f[0].message).not.toContain('10.0.0.8');
  });

  it('Noncompliance 4: a port-level DestinationRule entry without tls drops the rule-level ISTIO_MUTUAL (S2) for its port', () => {
    const f = findings('IMA028', [vmEntry(), vm(), vmStrict, dr('vms', 'vm-api', {
      host: 'vm-api.corp',
      trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' }, portLevelSettings: [{ port: { number: 8080 }, connectionPool: { tcp: { maxConnections: 10 } } }] },
    })]);
    expect(f).toHaveLength(1);
    expect(f[0].severity).toBe('error');
  });

  it('Noncompliance 5: a mixed entry is an error when one endpoint is STRICT, and lists the STRICT one first', () => {
    const f = findings('IMA028', [vmEntry(), vm(), we('vms', 'vm-2', { address: '10.1.2.4', serviceAccount: 'vm-api', labels: { app: 'vm-api', tier: 'b' } }),
      pa('vms', 'vm-2-strict', { ...sel({ tier: 'b' }), ...STRICT })]);
    expect(f).toHaveLength(1);
    expect(f[0].severity).toBe('error');
    expect(f[0].message).toContain('mesh workloads: WorkloadEntry vms/vm-2 (10.1.2.4:8080) is STRICT (PeerAuthentication vms/vm-2-strict) for its labels, '
      + 'WorkloadEntry vms/vm-1 (10.1.2.3:8080) is PERMISSIVE (Istio default) for its labels;');
  });

  // conversion_test.go: the `selector` (STATIC) and `selectorDNS` entries write no location, so they are MESH_EXTERNAL.
  const selectorPorts = [{ number: 444, name: 'tcp-444', protocol: 'tcp' }, { number: 445, name: 'http-445', protocol: 'http' }];
  const selectorSe = se('selector', 'selector', { hosts: ['selector.com'], ports: selectorPorts, workloadSelector: { labels: { app: 'wle' } }, resolution: 'STATIC' });
  const selectorDns = se('selector', 'selector', { hosts: ['selector.com'], ports: selectorPorts, workloadSelector: { labels: { app: 'wle' } }, resolution: 'DNS' });
  const upstream: { source: string; entry: Manifest; wle: Record<string, unknown>; expected: string | undefined }[] = [
    {
      source: 'TestConvertWorkloadEntryToServiceInstances "simple" (no serviceAccount: plaintext endpoint)',
      entry: selectorSe,
      wle: { address: '1.1.1.1', labels: { app: 'wle' } },
      expected: undefined,
    },
    {
      source: 'TestConvertWorkloadEntryToServiceInstances "mtls" (serviceAccount: tlsMode istio)',
      entry: selectorSe,
      wle: { address: '1.1.1.1', labels: { app: 'wle' }, serviceAccount: 'default' },
      expected: 'warning',
    },
    {
      source: 'TestConvertWorkloadEntryToServiceInstances "replace-port" (no serviceAccount)',
      entry: selectorSe,
      wle: { address: '1.1.1.1', labels: { app: 'wle' }, ports: { 'http-445': 8080 } },
      expected: undefined,
    },
    {
      source: 'TestConvertWorkloadEntryToServiceInstances "augment label" (locality and network labels added, selector still matches)',
      entry: selectorSe,
      wle: { address: '1.1.1.1', labels: { app: 'wle' }, locality: 'region1/zone1/sunzone1', network: 'network1', serviceAccount: 'default' },
      expected: 'warning',
    },
    {
      source: 'TestConvertWorkloadEntryToWorkloadInstance "simple - tls mode disabled" (label wins over serviceAccount)',
      entry: selectorSe,
      wle: { address: '1.1.1.1', labels: { app: 'wle', [TLS_MODE]: 'disabled' }, serviceAccount: 'scooby' },
      expected: undefined,
    },
    {
      source: 'TestConvertWorkloadEntryToWorkloadInstance "DNS address" under a STATIC entry (DNSServiceEntryOnly: not selected)',
      entry: selectorSe,
      wle: { address: 'scooby.com', labels: { app: 'wle' }, serviceAccount: 'scooby' },
      expected: undefined,
    },
    {
      source: 'TestConvertWorkloadEntryToWorkloadInstance "DNS address" under selectorDNS (selected, tlsMode istio)',
      entry: selectorDns,
      wle: { address: 'scooby.com', labels: { app: 'wle' }, serviceAccount: 'scooby' },
      expected: 'warning',
    },
    {
      source: 'TestConvertWorkloadEntryToWorkloadInstance "unix domain socket" under selectorDNS (no port to judge: left out)',
      entry: selectorDns,
      wle: { address: 'unix:///foo/bar', labels: { app: 'wle' }, serviceAccount: 'scooby' },
      expected: undefined,
    },
  ];
  for (const c of upstream) {
    it(`upstream pilot/pkg/serviceregistry/serviceentry/conversion_test.go ${c.source}`, () => {
      const f = findings('IMA028', [c.entry, we('selector', 'wle', c.wle)]);
      expect(f.map((x) => x.severity)).toEqual(c.expected ? [c.expected] : []);
    });
  }

  it('trap: a DestinationRule that sets tls ISTIO_MUTUAL already sends Istio mTLS to the MESH_EXTERNAL host', () => {
    expect(findings('IMA028', [vmEntry(), vm(), vmStrict, dr('vms', 'vm-api', { host: 'vm-api.corp', ...tls('ISTIO_MUTUAL') })])).toEqual([]);
  });
  it('trap: a DestinationRule that sets tls DISABLE sends plaintext whatever the location (other rules report it)', () => {
    expect(findings('IMA028', [vmEntry(), vm(), vmStrict, dr('vms', 'vm-api', { host: 'vm-api.corp', ...tls('DISABLE') })])).toEqual([]);
  });
  it('trap: with auto mTLS off MESH_INTERNAL would change nothing', () => {
    expect(findings('IMA028', [vmEntry(), vm(), vmStrict], { autoMtls: false })).toEqual([]);
  });
  it('trap: endpoints without a proxy (no serviceAccount, pods without a sidecar) are not mesh workloads', () => {
    expect(findings('IMA028', [vmEntry(), vm({ serviceAccount: undefined }), vmStrict])).toEqual([]);
    expect(findings('IMA028', [ns('legacy', {}), deploy('legacy', 'db', { ports: [5432] }), pa('istio-system', 'default', STRICT),
      se('legacy', 'db', {
        hosts: ['db.legacy.internal'],
        ports: [{ number: 5432, name: 'tcp', protocol: 'TCP' }],
        resolution: 'STATIC',
        workloadSelector: { labels: { app: 'db' } },
      })])).toEqual([]);
  });
  it('trap: an endpoint whose PeerAuthentication is DISABLE gets plaintext from auto mTLS too (SEMANTICS §4 example 4)', () => {
    expect(findings('IMA028', [vmEntry(), vm(), pa('vms', 'vm-off', { ...sel({ app: 'vm-api' }), ...DISABLE })])).toEqual([]);
  });
  it('trap: a namespace DISABLE policy turns auto mTLS off for the entry\'s namespace (S1), so MESH_INTERNAL would not help', () => {
    expect(findings('IMA028', [vmEntry(), vm(), vmStrict, pa('vms', 'default', DISABLE)])).toEqual([]);
  });
  it('trap: a pod port the sidecar does not capture takes plaintext and would choke on mTLS', () => {
    expect(findings('IMA028', [ns('shop'), pa('istio-system', 'default', STRICT),
      deploy('shop', 'api', { ports: [8080], podAnnotations: { 'traffic.sidecar.istio.io/excludeInboundPorts': '8080' } }),
      se('shop', 'api-alias', {
        hosts: ['api.shop.internal'],
        ports: [{ number: 8080, name: 'http', protocol: 'HTTP' }],
        resolution: 'STATIC',
        workloadSelector: { labels: { app: 'api' } },
      })])).toEqual([]);
  });
  it('trap: the selector only selects workloads of the entry\'s own namespace', () => {
    expect(findings('IMA028', [se('other', 'vm-api', {
      hosts: ['vm-api.corp'],
      ports: [{ number: 8080, name: 'http' }],
      resolution: 'STATIC',
      workloadSelector: { labels: { app: 'vm-api' } },
    }), vm(), vmStrict])).toEqual([]);
  });
  it('trap: a DNS entry without endpoints is the external host itself (SEMANTICS §4 example 5)', () => {
    expect(findings('IMA028', [se('shop', 'db', { hosts: ['db.internal'], ports: [{ number: 5432, name: 'tcp' }], resolution: 'DNS' }),
      pa('istio-system', 'default', STRICT)])).toEqual([]);
  });
});

describe('IMA029 workload-entry-tls-mode', () => {
  const internal = vmEntry({ location: 'MESH_INTERNAL' });
  it('Compliance: a labelled VM with a proxy; a VM without serviceAccount or label under PERMISSIVE', () => {
    expect(findings('IMA029', [internal, vm({ labels: { app: 'vm-api', [TLS_MODE]: 'istio' } }), vmStrict])).toEqual([]);
    expect(findings('IMA029', [internal, vm({ serviceAccount: undefined })])).toEqual([]);
  });

  it('Noncompliance 1: SEMANTICS §4 example 2, a serviceAccount without the label implies tlsMode istio', () => {
    const f = findings('IMA029', [internal, vm()]);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'warning', category: 'workload-entry-tls-mode', path: '/spec/serviceAccount' });
    expect(f[0].resource).toMatchObject({ kind: 'WorkloadEntry', namespace: 'vms', name: 'vm-1' });
    expect(f[0].message).toBe('WorkloadEntry vms/vm-1 sets serviceAccount vm-api and no security.istio.io/tlsMode label, so pilot gives it tlsMode istio '
      + 'and client sidecars send it Istio mTLS (ServiceEntry vms/vm-api port 8080); whether the VM runs istio-proxy cannot be seen offline: '
      + 'without one every call fails');
    expect(f[0].fix).toContain('security.istio.io/tlsMode: disabled');
  });

  it('Noncompliance 2: SEMANTICS §4 example 3, metadata.labels disabled wins over spec.labels istio under STRICT: error', () => {
    const f = findings('IMA029', [internal, vmStrict, vm({ labels: { app: 'vm-api', [TLS_MODE]: 'istio' } }, { [TLS_MODE]: 'disabled' })]);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'error', path: '/spec/labels/security.istio.io~1tlsMode' });
    expect(f[0].message).toBe('WorkloadEntry vms/vm-1 is labelled security.istio.io/tlsMode: disabled (metadata.labels win over spec.labels), but its '
      + 'labels are STRICT (PeerAuthentication vms/vm-strict); client sidecars send it plaintext (ServiceEntry vms/vm-api port 8080), which the '
      + 'VM\'s istio-proxy refuses if it selects policies by the entry\'s labels, as STRICT implies it runs one');
    expect(f[0].related).toEqual([expect.objectContaining({ kind: 'PeerAuthentication', name: 'vm-strict' })]);
  });

  it('Noncompliance 3: tlsMode disabled on an entry a Kubernetes Service selects, namespace STRICT', () => {
    const f = findings('IMA029', [pa('vms', 'default', STRICT), svc('vms', 'vm-api', { app: 'vm-api' }, [{ port: 80, targetPort: 8080, name: 'http' }]),
      vm({ labels: { app: 'vm-api', [TLS_MODE]: 'disabled' } })]);
    expect(f).toHaveLength(1);
    expect(f[0].severity).toBe('error');
    expect(f[0].message).toContain('(Service vms/vm-api port 80)');
  });

  it('Noncompliance 4: a tlsMode that is neither istio nor disabled yields plaintext', () => {
    const f = findings('IMA029', [internal, vm({ labels: { app: 'vm-api', [TLS_MODE]: 'Istio' } })]);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'warning', path: '/spec/labels/security.istio.io~1tlsMode' });
    expect(f[0].message).toContain('auto mTLS sends Istio mTLS only to the exact value istio');
  });

  it('Noncompliance 5: an inline endpoint with a serviceAccount and no label is reported on the ServiceEntry', () => {
    const f = findings('IMA029', [se('vms', 'db', {
      hosts: ['db.corp'],
      ports: [{ number: 5432, name: 'tcp' }],
      resolution: 'STATIC',
      location: 'MESH_INTERNAL',
      endpoints: [{ address: '10.0.0.8' }, { address: '10.0.0.7', serviceAccount: 'db' }],
    })]);
    expect(f).toHaveLength(1);
    expect(f[0].resource).toMatchObject({ kind: 'ServiceEntry', name: 'db' });
    expect(f[0].path).toBe('/spec/endpoints/1/serviceAccount');
    expect(f[0].message).toContain('ServiceEntry vms/db endpoint 1 (10.0.0.7) sets serviceAccount db');
  });

  it('Noncompliance 6: no serviceAccount and no label gives tlsMode disabled, under a STRICT policy: error on serviceAccount', () => {
    const f = findings('IMA029', [internal, vmStrict, vm({ serviceAccount: undefined })]);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'error', path: '/spec/serviceAccount' });
    expect(f[0].message).toContain('has no serviceAccount and no security.istio.io/tlsMode label, so pilot gives it tlsMode disabled');
  });

  it('Noncompliance 7: an inline endpoint labelled disabled under a STRICT mesh', () => {
    const f = findings('IMA029', [pa('istio-system', 'default', STRICT), se('vms', 'db', {
      hosts: ['db.corp'],
      ports: [{ number: 5432, name: 'tcp' }],
      resolution: 'STATIC',
      location: 'MESH_INTERNAL',
      endpoints: [{ address: '10.0.0.7', serviceAccount: 'db', labels: { [TLS_MODE]: 'disabled' } }],
    })]);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'error', path: '/spec/endpoints/0/labels/security.istio.io~1tlsMode' });
    expect(f[0].message).not.toContain('metadata.labels');
  });

  it('trap: SEMANTICS §4 example 4, a DISABLE policy on the entry\'s labels makes clients send plaintext, which the VM takes', () => {
    expect(findings('IMA029', [internal, vm(), pa('vms', 'vm-off', { ...sel({ app: 'vm-api' }), ...DISABLE })])).toEqual([]);
  });
  it('trap: a STRICT policy written for the entry\'s labels says the VM runs istio-proxy, so the implied tlsMode istio agrees', () => {
    expect(findings('IMA029', [internal, vm(), vmStrict])).toEqual([]);
  });
  it('Noncompliance 8: a mesh-wide STRICT policy says nothing about this VM: the implied tlsMode istio is still reported', () => {
    expect(findings('IMA029', [internal, vm(), pa('istio-system', 'default', STRICT)]).map((f) => f.path)).toEqual(['/spec/serviceAccount']);
  });
  it('trap: a DestinationRule tls decides instead of the tlsMode (ISTIO_MUTUAL or DISABLE)', () => {
    expect(findings('IMA029', [internal, vm(), dr('vms', 'vm-api', { host: 'vm-api.corp', ...tls('ISTIO_MUTUAL') })])).toEqual([]);
    expect(findings('IMA029', [internal, vmStrict, vm({ labels: { app: 'vm-api', [TLS_MODE]: 'disabled' } }),
      dr('vms', 'vm-api', { host: 'vm-api.corp', ...tls('DISABLE') })])).toEqual([]);
  });
  it('trap: behind a MESH_EXTERNAL entry the tlsMode never matters (service-entry-mesh-external reports it)', () => {
    expect(findings('IMA029', [vmEntry(), vm(), vmStrict])).toEqual([]);
  });
  it('trap: tlsMode disabled under PERMISSIVE is a VM without a proxy, as intended', () => {
    expect(findings('IMA029', [internal, vm({ labels: { app: 'vm-api', [TLS_MODE]: 'disabled' } }), pa('vms', 'default', PERMISSIVE)])).toEqual([]);
  });
  it('trap: an entry nothing selects, or one pilot leaves out as unhealthy, has no clients', () => {
    expect(findings('IMA029', [vm()])).toEqual([]);
    const unhealthy = vm();
    expect(findings('IMA029', [internal, { ...unhealthy, metadata: { ...unhealthy.metadata, annotations: { 'proxy.istio.io/health-checks-enabled': 'true' } } }]))
      .toEqual([]);
  });
  it('trap: a namespace DISABLE policy (S1) sends plaintext whatever the tlsMode: the label is not the cause', () => {
    expect(findings('IMA029', [internal, pa('vms', 'default', DISABLE), vmStrict, vm({ labels: { app: 'vm-api', [TLS_MODE]: 'disabled' } })])).toEqual([]);
  });
  it('trap: pods selected by a ServiceEntry are hand-set-tls-mode\'s, not this rule\'s', () => {
    expect(findings('IMA029', [ns('shop'), deploy('shop', 'api', { labels: { app: 'api', [TLS_MODE]: 'Istio' } }), pa('istio-system', 'default', STRICT),
      se('shop', 'api-alias', {
        hosts: ['api.shop.internal'],
        ports: [{ number: 8080, name: 'http' }],
        resolution: 'STATIC',
        location: 'MESH_INTERNAL',
        workloadSelector: { labels: { app: 'api' } },
      })])).toEqual([]);
  });
});
