import { describe, expect, it } from 'vitest';
import {
  durationProblem, fqdnProblem, goPrefixProblem, ipOrCidrProblem, isIstioDnsLabel, isPortString, labelKeyProblem, parseDurationNanos,
  wildcardDomainProblem,
} from '../../../src/validation/istio/common';

describe('Istio syntax helpers', () => {
  it('parses protobuf and Go duration forms into nanoseconds', () => {
    expect(parseDurationNanos('1.5s')).toBe(1_500_000_000n);
    expect(parseDurationNanos('0.000000001s')).toBe(1n);
    expect(parseDurationNanos('1m30s')).toBe(90_000_000_000n);
    expect(parseDurationNanos('100ms')).toBe(100_000_000n);
    expect(parseDurationNanos('1.5h')).toBe(5_400_000_000_000n);
    expect(parseDurationNanos('-2s')).toBe(-2_000_000_000n);
    expect(parseDurationNanos('0')).toBe(0n);
    expect(parseDurationNanos('')).toBeUndefined();
    expect(parseDurationNanos('10')).toBeUndefined();
    expect(parseDurationNanos('s')).toBeUndefined();
    expect(parseDurationNanos('1d')).toBeUndefined();
    // beyond Go's int64 nanoseconds (about 292 years) istiod's decoder fails ("bad Duration")
    expect(parseDurationNanos('9223372036s')).toBe(9_223_372_036_000_000_000n);
    expect(parseDurationNanos('9223372037s')).toBeUndefined();
    expect(parseDurationNanos('99999999999s')).toBeUndefined();
  });

  it('accepts durations of at least 1ms in whole milliseconds', () => {
    expect(durationProblem('1ms')).toBeUndefined();
    expect(durationProblem('0.001s')).toBeUndefined();
    expect(durationProblem('999us')).toBe('it is shorter than 1ms');
    expect(durationProblem('1500us')).toBe('it is not a whole number of milliseconds');
    expect(durationProblem('-5s')).toBe('it is shorter than 1ms');
    expect(durationProblem('five seconds')).toMatch(/^it is not a duration/);
    expect(durationProblem('99999999999s')).toMatch(/^it is not a duration/);
  });

  it('checks IPs and CIDR ranges as Go\'s net/netip does', () => {
    expect(ipOrCidrProblem('192.168.0.1')).toBeUndefined();
    expect(ipOrCidrProblem('2001:db8::1')).toBeUndefined();
    expect(ipOrCidrProblem('192.168.0.1/24')).toBeUndefined();
    expect(ipOrCidrProblem('::/0')).toBeUndefined();
    expect(ipOrCidrProblem('192.168.00.1')).toBeDefined();
    expect(ipOrCidrProblem('256.0.0.1')).toBeDefined();
    expect(goPrefixProblem('10.0.0.0/08')).toMatch(/not a decimal number/);
    expect(goPrefixProblem('10.0.0.0/')).toMatch(/not a decimal number/);
    expect(goPrefixProblem('2001:db8::/129')).toBe('the prefix length 129 is larger than 128');
    expect(goPrefixProblem('fe80::1%eth0/64')).toBe('an IPv6 zone is not allowed in a range');
  });

  it('checks ports written as strings like strconv.ParseUint, capped at 65535', () => {
    expect(isPortString('0')).toBe(true);
    expect(isPortString('000443')).toBe(true);
    expect(isPortString('65535')).toBe(true);
    expect(isPortString('65536')).toBe(false);
    expect(isPortString('99999999999999999999')).toBe(false);
    expect(isPortString('+80')).toBe(false);
    expect(isPortString(' 80')).toBe(false);
  });

  it('checks hosts like agent.ValidateWildcardDomain', () => {
    for (const ok of ['*', '*.example.com', '*-canary.example.com', 'reviews', 'Reviews.Prod.svc.cluster.local', 'example.com.']) {
      expect(wildcardDomainProblem(ok), ok).toBeUndefined();
    }
    expect(wildcardDomainProblem('a..b')).toMatch(/label ""/);
    expect(wildcardDomainProblem('example.123')).toMatch(/all digits/);
    expect(wildcardDomainProblem('foo.*.com')).toMatch(/label "\*"/);
    expect(wildcardDomainProblem('-foo.com')).toMatch(/first label/);
    expect(wildcardDomainProblem('a'.repeat(64) + '.com')).toMatch(/first label/);
    expect(wildcardDomainProblem('a.'.repeat(128) + 'com')).toMatch(/longer than 255/);
    // Go's strconv.Atoi decides "all-numeric": a sign counts, a number beyond int64 does not (the label check then applies)
    expect(wildcardDomainProblem('example.-5')).toMatch(/all digits/);
    expect(wildcardDomainProblem('example.99999999999999999999')).toBeUndefined();
    expect(wildcardDomainProblem('example.9223372036854775807')).toMatch(/all digits/);
    expect(fqdnProblem('*.example.com')).toMatch(/label "\*"/);
    expect(fqdnProblem('proxy.example.com')).toBeUndefined();
  });

  it('uses Istio\'s label rules, which accept upper case where Kubernetes does not', () => {
    expect(isIstioDnsLabel('V1')).toBe(true);
    expect(isIstioDnsLabel('v1.0')).toBe(false);
    expect(labelKeyProblem('Example.COM/app')).toBeUndefined();
    expect(labelKeyProblem('app/')).toMatch(/its name/);
    expect(labelKeyProblem('a/b/c')).toMatch(/its name/);
    expect(labelKeyProblem('x'.repeat(64))).toMatch(/longer than 63/);
  });
});
