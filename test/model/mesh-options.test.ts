import { describe, expect, it } from 'vitest';
import { isCidr, MeshOptions, meshOptionProblems, resolveMeshOptions } from '../../src/model/mesh-options';

describe('mesh options', () => {
  it('default to Istio 1.30.3\'s own: no ambient, init-container capture of every port, ALLOW_ANY', () => {
    const o = resolveMeshOptions();
    expect(o).toMatchObject({
      ambient: false,
      ambientExcludeNamespaces: ['kube-system'],
      sidecarHbone: false,
      istioCni: false,
      outboundTrafficPolicy: 'ALLOW_ANY',
      enableTlsOnSidecarIngress: false,
      captureDefaults: {
        includeInboundPorts: '*',
        excludeInboundPorts: '',
        includeOutboundIPRanges: '*',
        excludeOutboundIPRanges: '',
        includeOutboundPorts: '',
        excludeOutboundPorts: '',
        statusPort: 15020,
        interceptionMode: 'REDIRECT',
      },
    });
    expect(o.serviceCidrs).toBeUndefined();
    expect(o.knownRevisions).toBeUndefined();
  });

  it('sidecars speak HBONE by default exactly when ambient is on, unless said otherwise', () => {
    expect(resolveMeshOptions({ ambient: true }).sidecarHbone).toBe(true);
    expect(resolveMeshOptions({ ambient: true, sidecarHbone: false }).sidecarHbone).toBe(false);
  });

  it('keeps a capture default given as undefined at Istio\'s value', () => {
    expect(resolveMeshOptions({ captureDefaults: { excludeInboundPorts: '9090', includeInboundPorts: undefined } }).captureDefaults)
      .toMatchObject({ includeInboundPorts: '*', excludeInboundPorts: '9090' });
  });

  it.each([
    ['10.96.0.0/12', true], ['0.0.0.0/0', true], ['fd00::/108', true], ['::/0', true], ['2001:db8::1/128', true],
    ['10.96.0.0', false], ['10.96.0.0/33', false], ['256.0.0.0/8', false], [' 10.0.0.0/8', false], ['10.0.0.0/8 ', false],
    ['fd00:::1/64', false], ['1:2:3:4:5:6:7:8:9/64', false], ['*', false],
  ])('reads %j as a CIDR: %s', (text, ok) => {
    expect(isCidr(text)).toBe(ok);
  });

  it('names the option, the bad value and what is allowed', () => {
    const bad = {
      rootNamespace: 'Istio_System',
      trustDomain: 'a/b',
      serviceCidrs: ['10.96.0.0/12', '10.0.0.0'],
      knownRevisions: [''],
      ambient: 'yes',
      outboundTrafficPolicy: 'DENY',
      captureDefaults: { statusPort: 0, bogus: '1', interceptionMode: 'redirect' },
    } as unknown as MeshOptions;
    expect(meshOptionProblems(bad)).toEqual([
      { option: 'rootNamespace', message: 'must be a namespace name (DNS-1123 label), got "Istio_System"' },
      { option: 'trustDomain', message: 'must be a trust domain such as cluster.local, got "a/b"' },
      { option: 'serviceCidrs', message: 'must be a list of CIDRs such as 10.96.0.0/12; "10.0.0.0" is not one' },
      { option: 'knownRevisions', message: 'must be a list of revision names (label values such as 1-30-3 or default); "" is not one' },
      { option: 'ambient', message: 'must be true or false, got "yes"' },
      { option: 'outboundTrafficPolicy', message: 'must be ALLOW_ANY or REGISTRY_ONLY, got "DENY"' },
      { option: 'captureDefaults.statusPort', message: 'must be a port number (1-65535), got 0' },
      { option: 'captureDefaults.bogus', message: expect.stringMatching(/^is not a capture default; expected one of includeInboundPorts, /) },
      { option: 'captureDefaults.interceptionMode', message: 'must be REDIRECT, TPROXY or NONE, got "redirect"' },
    ]);
    expect(meshOptionProblems({ podCidrs: '10.0.0.0/8' as unknown as string[] })).toEqual([
      { option: 'podCidrs', message: 'must be a list of CIDRs such as 10.244.0.0/16, got "10.0.0.0/8"' },
    ]);
  });

  it('accepts every option at a sensible value', () => {
    expect(meshOptionProblems({
      rootNamespace: 'istio-system',
      trustDomain: 'td.example',
      trustDomainAliases: ['old.example'],
      autoMtls: false,
      ambient: true,
      ambientExcludeNamespaces: ['kube-system', 'monitoring'],
      sidecarHbone: true,
      istioCni: true,
      serviceCidrs: ['10.96.0.0/12'],
      podCidrs: ['10.244.0.0/16', 'fd00::/64'],
      outboundTrafficPolicy: 'REGISTRY_ONLY',
      knownRevisions: ['1-30-3', 'default'],
      enableTlsOnSidecarIngress: true,
      captureDefaults: { excludeInboundPorts: '9090', statusPort: 15021, interceptionMode: 'TPROXY' },
    })).toEqual([]);
  });
});
