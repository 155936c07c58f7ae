/*
 * Traffic capture annotations (SEMANTICS.md §2) against istio/istio 1.30.3's own tests.
 *
 * Ported as data tables below (each row names its source and case):
 *   pkg/kube/inject/inject_test.go TestInjection: the five rejected traffic-annotations-bad-* inputs, and the
 *     istio-iptables arguments of every golden whose input sets capture annotations or capture values
 *   pkg/util/net/ip_test.go TestValidateInterfaceNames: every case, through the webhook's interface annotations
 *   tools/common/config/config_test.go TestSeparateV4V6: every case, as "destination IP captured or not"
 *   tools/istio-iptables/pkg/capture/run_test.go TestIptables (+ testdata/*.golden): the cases that decide
 *     which ports or IP ranges are captured, as "these settings -> port/IP captured or not"
 *   cni/pkg/plugin/plugin_dryrun_test.go TestIPTablesRuleGeneration (+ testdata/*.txt.golden): the same, for istio-cni
 *   cni/pkg/plugin/plugin_test.go TestCmdAdd*: the redirect settings istio-cni derives from pod annotations
 *
 * Not ported:
 * | source                                                          | case(s)                                              | why |
 * |-----------------------------------------------------------------|------------------------------------------------------|-----|
 * | pkg/kube/inject/validate_test.go                                | TestValidateResourceQuantity, TestValidateAnnotations | they test proxy CPU/memory quantities, not capture; 1.30.3 has no port, CIDR or interceptionMode cases there (the brief expected some): those validators are covered by the TestInjection rows and by our own rows below |
 * | cni/pkg/plugin/sidecar_redirect_test.go                         | all                                                  | the file does not exist in 1.30.3; plugin_test.go and plugin_dryrun_test.go are ported instead |
 * | tools/istio-iptables/pkg/capture/run_test.go TestIptables       | dns-uid-gid, ipv6-dns-uid-gid                        | DNS capture to the agent (port 53 -> 15053) and proxy uid/gid rules: no capture annotation controls them |
 * | tools/istio-iptables/pkg/capture/run_test.go TestIptables       | outbound-owner-groups(-exclude), ipv6-dns-outbound-owner-groups(-exclude) | capture by the app's process group (ISTIO_OUTBOUND_OWNER_GROUPS), an environment setting, not an annotation |
 * | tools/istio-iptables/pkg/capture/run_test.go TestIptables       | drop-invalid, host-ipv4-loopback-cidr                | conntrack INVALID drop and the loopback CIDR are environment settings and change no port's capture |
 * | tools/istio-iptables/pkg/capture/run_test.go TestIptables       | basic-exclude-nic                                    | per-interface bypass is modelled as a note only (no interface in our inputs) |
 * | tools/istio-iptables/pkg/capture/run_linux_test.go              | all                                                  | runs real iptables in a network namespace |
 * | cni/pkg/plugin/plugin_dryrun_test.go TestIPTablesRuleGeneration | DNS                                                  | DNS capture to the agent, as above |
 * | cni/pkg/plugin/plugin_test.go                                   | ambient, exclusion and namespace cases               | which pods istio-cni handles at all (SEMANTICS §1), not how it captures |
 * | tools/istio-iptables/pkg/capture/testdata/*.golden, cni/pkg/plugin/testdata/status-ports.txt.golden | rule text, rule order | we model the decision per port and IP, not the iptables text; status-ports.txt.golden is used by no test in 1.30.3 |
 */
import { describe, expect, it } from 'vitest';
import {
  CAPTURE_ANNOTATIONS as A,
  CaptureDefaults,
  CaptureRules,
  CaptureSettings,
  cniRedirect,
  initContainerSettings,
  injectedCniAnnotations,
  ISTIO_CAPTURE_DEFAULTS,
  iptablesCapture,
  OutboundCapture,
  readPodCapture,
  validateCaptureAnnotations,
} from '../../src/resolution/capture';

const DEFAULTS = ISTIO_CAPTURE_DEFAULTS;
const CNI: CaptureDefaults = { ...DEFAULTS, cni: true };

/** A port's expected inbound capture, or an outbound destination's expected outcome. */
type Probe =
  | { readonly inbound: number; readonly captured: boolean }
  | { readonly port: number; readonly ip?: string; readonly outbound: OutboundCapture };

function probeRules(rules: CaptureRules, probes: readonly Probe[]) {
  return probes.map((p) => ('inbound' in p
    ? { ...p, captured: rules.inboundCaptured(p.inbound) }
    : { ...p, outbound: rules.outbound(p.ip === undefined ? { port: p.port } : { port: p.port, ip: p.ip }) }));
}

// ---------------------------------------------------------------------------
// pkg/kube/inject/inject_test.go TestInjection: the webhook rejects these inputs.

const INJECT_REJECTED: ReadonlyArray<{ source: string; annotations: Record<string, string>; annotation: string; errorMentions: string }> = [
  { source: 'pkg/kube/inject/inject_test.go TestInjection "traffic-annotations-bad-includeipranges.yaml"', annotations: { [A.includeOutboundIPRanges]: 'bad' }, annotation: A.includeOutboundIPRanges, errorMentions: 'includeoutboundipranges' },
  { source: 'pkg/kube/inject/inject_test.go TestInjection "traffic-annotations-bad-excludeipranges.yaml"', annotations: { [A.excludeOutboundIPRanges]: '*' }, annotation: A.excludeOutboundIPRanges, errorMentions: 'excludeoutboundipranges' },
  { source: 'pkg/kube/inject/inject_test.go TestInjection "traffic-annotations-bad-includeinboundports.yaml"', annotations: { [A.includeInboundPorts]: 'bad' }, annotation: A.includeInboundPorts, errorMentions: 'includeinboundports' },
  { source: 'pkg/kube/inject/inject_test.go TestInjection "traffic-annotations-bad-excludeinboundports.yaml"', annotations: { [A.excludeInboundPorts]: '*' }, annotation: A.excludeInboundPorts, errorMentions: 'excludeinboundports' },
  { source: 'pkg/kube/inject/inject_test.go TestInjection "traffic-annotations-bad-excludeoutboundports.yaml"', annotations: { [A.excludeOutboundPorts]: 'bad' }, annotation: A.excludeOutboundPorts, errorMentions: 'excludeoutboundports' },
];

describe('webhook rejections (inject_test.go TestInjection)', () => {
  it.each(INJECT_REJECTED)('$source', ({ annotations, annotation, errorMentions }) => {
    const problems = validateCaptureAnnotations(annotations);
    expect(problems.map((p) => [p.annotation, p.rejectedBy])).toEqual([[annotation, 'injection-webhook']]);
    // Upstream checks the error names the setting; ours names it too.
    expect(problems[0].message.toLowerCase()).toContain(errorMentions);
    const pod = readPodCapture(annotations, DEFAULTS);
    expect(pod.admitted).toBe(false);
    expect(pod.settings).toBeNull();
  });
});

// ---------------------------------------------------------------------------
// pkg/kube/inject/inject_test.go TestInjection goldens: the istio-iptables arguments the template renders.

interface IptablesArgs {
  '-m': string; '-i': string; '-x': string; '-b': string; '-d': string; '-q'?: string; '-o'?: string; '-k'?: string; '-c'?: string;
}

function argsOf(s: CaptureSettings): IptablesArgs {
  const args: IptablesArgs = {
    '-m': s.mode, '-i': s.includeOutboundIPRanges, '-x': s.excludeOutboundIPRanges, '-b': s.includeInboundPorts, '-d': s.excludeInboundPorts,
  };
  // The template passes -q, -o, -k and -c only when they have a value.
  if (s.includeOutboundPorts) args['-q'] = s.includeOutboundPorts;
  if (s.excludeOutboundPorts) args['-o'] = s.excludeOutboundPorts;
  if (s.rerouteVirtualInterfaces) args['-k'] = s.rerouteVirtualInterfaces;
  if (s.excludeInterfaces) args['-c'] = s.excludeInterfaces;
  return args;
}

interface InjectGoldenRow {
  source: string;
  annotations: Record<string, string>;
  defaults?: Partial<CaptureDefaults>;
  args: IptablesArgs;
}

const INJECT_GOLDENS: readonly InjectGoldenRow[] = [
  {
    source: 'pkg/kube/inject/inject_test.go TestInjection "traffic-annotations.yaml.injected"',
    annotations: {
      [A.includeInboundPorts]: '1,2,3',
      [A.excludeInboundPorts]: '4,5,6',
      [A.excludeOutboundPorts]: '7,8,9',
      [A.includeOutboundIPRanges]: '127.0.0.1/24,10.96.0.1/24',
      [A.excludeOutboundIPRanges]: '10.96.0.2/24,10.96.0.3/24',
    },
    args: { '-m': 'REDIRECT', '-i': '127.0.0.1/24,10.96.0.1/24', '-x': '10.96.0.2/24,10.96.0.3/24', '-b': '1,2,3', '-d': '15090,15021,4,5,6,15020', '-o': '7,8,9' },
  },
  {
    source: 'pkg/kube/inject/inject_test.go TestInjection "traffic-annotations-wildcards.yaml.injected"',
    annotations: { [A.includeInboundPorts]: '*', [A.excludeInboundPorts]: '4,5,6', [A.includeOutboundIPRanges]: '*', [A.excludeOutboundIPRanges]: '10.96.0.2/24,10.96.0.3/24' },
    args: { '-m': 'REDIRECT', '-i': '*', '-x': '10.96.0.2/24,10.96.0.3/24', '-b': '*', '-d': '15090,15021,4,5,6,15020' },
  },
  {
    source: 'pkg/kube/inject/inject_test.go TestInjection "traffic-annotations-empty-includes.yaml.injected"',
    annotations: { [A.includeInboundPorts]: '', [A.excludeInboundPorts]: '4,5,6', [A.includeOutboundIPRanges]: '', [A.excludeOutboundIPRanges]: '10.96.0.2/24,10.96.0.3/24' },
    args: { '-m': 'REDIRECT', '-i': '', '-x': '10.96.0.2/24,10.96.0.3/24', '-b': '', '-d': '15090,15021,4,5,6,15020' },
  },
  {
    source: 'pkg/kube/inject/inject_test.go TestInjection "traffic-params.yaml.injected"',
    annotations: {},
    defaults: { includeOutboundIPRanges: '127.0.0.1/24,10.96.0.1/24', excludeOutboundIPRanges: '10.96.0.2/24,10.96.0.3/24', excludeInboundPorts: '4,5,6', statusPort: 0 },
    args: { '-m': 'REDIRECT', '-i': '127.0.0.1/24,10.96.0.1/24', '-x': '10.96.0.2/24,10.96.0.3/24', '-b': '*', '-d': '15090,15021,4,5,6' },
  },
  {
    source: 'pkg/kube/inject/inject_test.go TestInjection "traffic-params-empty-includes.yaml.injected"',
    annotations: {},
    args: { '-m': 'REDIRECT', '-i': '*', '-x': '', '-b': '*', '-d': '15090,15021,15020' },
  },
  {
    source: 'pkg/kube/inject/inject_test.go TestInjection "status_annotations.yaml.injected"',
    annotations: { [A.statusPort]: '123' },
    args: { '-m': 'REDIRECT', '-i': '*', '-x': '', '-b': '*', '-d': '15090,15021,123' },
  },
  {
    source: 'pkg/kube/inject/inject_test.go TestInjection "status_annotations_zeroport.yaml.injected"',
    annotations: { [A.statusPort]: '0' },
    args: { '-m': 'REDIRECT', '-i': '*', '-x': '', '-b': '*', '-d': '15090,15021' },
  },
  {
    source: 'pkg/kube/inject/inject_test.go TestInjection "status_params.yaml.injected"',
    annotations: {},
    defaults: { statusPort: 123 },
    args: { '-m': 'REDIRECT', '-i': '*', '-x': '', '-b': '*', '-d': '15090,15021,123' },
  },
  {
    source: 'pkg/kube/inject/inject_test.go TestInjection "hello-tproxy.yaml.injected"',
    annotations: {},
    defaults: { interceptionMode: 'TPROXY' },
    args: { '-m': 'TPROXY', '-i': '*', '-x': '', '-b': '*', '-d': '15090,15021,15020' },
  },
  {
    source: 'pkg/kube/inject/inject_test.go TestInjection "kubevirtInterfaces.yaml.injected"',
    annotations: { [A.kubevirtInterfaces]: 'net1' },
    defaults: { statusPort: 123 },
    args: { '-m': 'REDIRECT', '-i': '*', '-x': '', '-b': '*', '-d': '15090,15021,123', '-k': 'net1' },
  },
  {
    source: 'pkg/kube/inject/inject_test.go TestInjection "kubevirtInterfaces_list.yaml.injected"',
    annotations: { [A.kubevirtInterfaces]: 'net1,net2' },
    args: { '-m': 'REDIRECT', '-i': '*', '-x': '', '-b': '*', '-d': '15090,15021,15020', '-k': 'net1,net2' },
  },
  {
    source: 'pkg/kube/inject/inject_test.go TestInjection "reroute-virtual-interfaces.yaml.injected"',
    annotations: { [A.rerouteVirtualInterfaces]: 'net0ps2', [A.kubevirtInterfaces]: 'net1' },
    defaults: { statusPort: 123 },
    args: { '-m': 'REDIRECT', '-i': '*', '-x': '', '-b': '*', '-d': '15090,15021,123', '-k': 'net0ps2' },
  },
  {
    source: 'pkg/kube/inject/inject_test.go TestInjection "reroute-virtual-interfaces_list.yaml.injected"',
    annotations: { [A.rerouteVirtualInterfaces]: 'net1ps5,net2qr9' },
    args: { '-m': 'REDIRECT', '-i': '*', '-x': '', '-b': '*', '-d': '15090,15021,15020', '-k': 'net1ps5,net2qr9' },
  },
];

describe('istio-init arguments (inject_test.go TestInjection goldens)', () => {
  it.each(INJECT_GOLDENS)('$source', ({ annotations, defaults, args }) => {
    const effective = { ...DEFAULTS, ...defaults };
    expect(validateCaptureAnnotations(annotations)).toEqual([]);
    expect(argsOf(initContainerSettings(annotations, effective))).toEqual(args);
    // readPodCapture programs the same settings.
    expect(readPodCapture(annotations, effective).settings).toEqual(initContainerSettings(annotations, effective));
  });
});

const INJECT_CNI_GOLDENS: ReadonlyArray<{ source: string; annotations: Record<string, string>; written: Record<string, string> }> = [
  {
    source: 'pkg/kube/inject/inject_test.go TestInjection "hello.yaml.cni.injected"',
    annotations: {},
    written: { [A.interceptionMode]: 'REDIRECT', [A.excludeInboundPorts]: '15020', [A.includeInboundPorts]: '*', [A.includeOutboundIPRanges]: '*' },
  },
  {
    source: 'pkg/kube/inject/inject_test.go TestInjection "proxy-override-runas.yaml.cni.injected"',
    annotations: {},
    written: { [A.interceptionMode]: 'REDIRECT', [A.excludeInboundPorts]: '15020', [A.includeInboundPorts]: '*', [A.includeOutboundIPRanges]: '*' },
  },
];

describe('annotations the injector writes for istio-cni (inject_test.go TestInjection goldens)', () => {
  it.each(INJECT_CNI_GOLDENS)('$source', ({ annotations, written }) => {
    expect(injectedCniAnnotations(annotations, CNI)).toEqual(written);
  });
});

// ---------------------------------------------------------------------------
// pkg/util/net/ip_test.go TestValidateInterfaceNames, through traffic.sidecar.istio.io/excludeInterfaces.

const INTERFACE_NAMES: ReadonlyArray<{ source: string; value: string; rejected: boolean }> = [
  ['empty string', '', false],
  ['single valid interface', 'eth0', false],
  ['multiple valid interfaces', 'eth0,eth1,lo', false],
  ['interface with underscore', 'eth_0', false],
  ['interface with hyphen', 'eth-0', false],
  ['interface with dot', 'eth0.1', false],
  ['interface starting with number', '0eth', true],
  ['interface starting with underscore', '_eth0', true],
  ['complex valid names', 'veth123abc,br-docker0,bond0.100', false],
  ['max length interface', 'a23456789012345', false],
  ['too long interface name', '1234567890123456', true],
  ['interface with space', 'eth0 -d 10.0.0.50', true],
  ['iptables injection attempt', 'eth0 -d 10.0.0.50 -p tcp --dport 8080', true],
  ['interface with semicolon', 'eth0;echo', true],
  ['interface with pipe', 'eth0|cat', true],
  ['interface with backtick', 'eth0`id`', true],
  ['interface with dollar sign', 'eth0$PATH', true],
  ['empty interface in list', 'eth0,,eth1', true],
  ['interface with leading space (trimmed)', ' eth0', false],
  ['interface with trailing space (trimmed)', 'eth0 ', false],
  ['spaces around comma (trimmed)', 'eth0 , eth1', false],
  ['interface with slash', 'eth0/1', true],
  ['interface with colon', 'eth0:1', true],
  ['interface with at sign', 'veth@if123', true],
].map(([name, value, rejected]) => ({ source: `pkg/util/net/ip_test.go TestValidateInterfaceNames "${name}"`, value: value as string, rejected: rejected as boolean }));

describe('interface names (ip_test.go TestValidateInterfaceNames)', () => {
  it.each(INTERFACE_NAMES)('$source', ({ value, rejected }) => {
    for (const annotation of [A.excludeInterfaces, A.kubevirtInterfaces, A.rerouteVirtualInterfaces]) {
      expect(validateCaptureAnnotations({ [annotation]: value }).length > 0).toBe(rejected);
    }
  });
});

// ---------------------------------------------------------------------------
// tools/istio-iptables/pkg/capture/run_test.go TestIptables: config -> which ports and IPs reach Envoy.
// The base config (constructTestConfig) sets no capture value: mode "" (REDIRECT), nothing included.

const NO_CAPTURE_SETTINGS: CaptureSettings = {
  mode: '',
  includeInboundPorts: '',
  excludeInboundPorts: '',
  includeOutboundIPRanges: '',
  excludeOutboundIPRanges: '',
  includeOutboundPorts: '',
  excludeOutboundPorts: '',
  excludeInterfaces: '',
  rerouteVirtualInterfaces: '',
};

const RUN = 'tools/istio-iptables/pkg/capture/run_test.go TestIptables';

const IPTABLES_CASES: ReadonlyArray<{ source: string; settings: Partial<CaptureSettings>; probes: readonly Probe[] }> = [
  {
    source: `${RUN} "ipv6-empty-inbound-ports"`,
    settings: { includeInboundPorts: '' },
    probes: [{ inbound: 8080, captured: false }, { port: 80, ip: '10.0.0.1', outbound: 'bypassed' }, { port: 80, ip: '2001:db8::1', outbound: 'bypassed' }],
  },
  {
    source: `${RUN} "ip-range"`,
    settings: { excludeOutboundIPRanges: '1.1.0.0/16', includeOutboundIPRanges: '9.9.0.0/16' },
    probes: [
      { inbound: 8080, captured: false },
      { port: 80, ip: '9.9.1.1', outbound: 'captured' }, { port: 80, ip: '1.1.1.1', outbound: 'bypassed' },
      { port: 80, ip: '8.8.8.8', outbound: 'bypassed' }, { port: 80, ip: '127.0.0.1', outbound: 'bypassed' },
    ],
  },
  {
    source: `${RUN} "tproxy"`,
    settings: { mode: 'TPROXY', includeInboundPorts: '*', excludeOutboundIPRanges: '1.1.0.0/16', includeOutboundIPRanges: '9.9.0.0/16', excludeInterfaces: 'not-istio-nic' },
    probes: [
      { inbound: 8080, captured: true }, { inbound: 15008, captured: true },
      { port: 443, ip: '9.9.0.1', outbound: 'captured' }, { port: 443, ip: '1.1.0.1', outbound: 'bypassed' },
      { port: 443, ip: '2001:db8::1', outbound: 'bypassed' },
    ],
  },
  {
    source: `${RUN} "ipv6-inbound-ports"`,
    settings: { includeInboundPorts: '4000,5000' },
    probes: [
      { inbound: 4000, captured: true }, { inbound: 5000, captured: true }, { inbound: 6000, captured: false }, { inbound: 15008, captured: false },
    ],
  },
  {
    source: `${RUN} "ipv6-virt-interfaces"`,
    settings: { includeInboundPorts: '4000,5000', rerouteVirtualInterfaces: 'eth0,eth1' },
    probes: [{ inbound: 4000, captured: true }, { inbound: 80, captured: false }, { port: 80, ip: '2001:db8::1', outbound: 'bypassed' }],
  },
  {
    source: `${RUN} "ipv6-ipnets"`,
    settings: {
      includeInboundPorts: '4000,5000',
      excludeInboundPorts: '6000,7000,',
      rerouteVirtualInterfaces: 'eth0,eth1',
      excludeOutboundIPRanges: '2001:db8::/32',
      includeOutboundIPRanges: '2001:db8::/32',
    },
    probes: [
      { inbound: 4000, captured: true }, { inbound: 6000, captured: false }, { inbound: 7000, captured: false },
      { port: 80, ip: '2001:db8::5', outbound: 'bypassed' }, { port: 80, ip: '2001:db9::5', outbound: 'bypassed' },
    ],
  },
  {
    source: `${RUN} "ipv6-uid-gid"`,
    settings: {
      includeInboundPorts: '4000,5000',
      excludeInboundPorts: '6000,7000',
      rerouteVirtualInterfaces: 'eth0,eth1',
      excludeOutboundIPRanges: '2001:db8::/32',
      includeOutboundIPRanges: '2001:db8::/32',
    },
    probes: [{ inbound: 5000, captured: true }, { inbound: 6000, captured: false }, { port: 80, ip: '2001:db8::5', outbound: 'bypassed' }],
  },
  {
    source: `${RUN} "ipv6-outbound-ports"`,
    settings: { includeInboundPorts: '', includeOutboundPorts: '32000,31000' },
    probes: [
      { inbound: 32000, captured: false },
      { port: 32000, ip: '10.0.0.1', outbound: 'captured' }, { port: 31000, ip: '2001:db8::1', outbound: 'captured' },
      { port: 80, ip: '10.0.0.1', outbound: 'bypassed' }, { port: 32000, ip: '127.0.0.1', outbound: 'bypassed' },
      { port: 32000, outbound: 'captured' },
    ],
  },
  {
    source: `${RUN} "empty"`,
    settings: {},
    probes: [{ inbound: 80, captured: false }, { port: 80, ip: '10.0.0.1', outbound: 'bypassed' }, { port: 80, outbound: 'bypassed' }],
  },
  {
    source: `${RUN} "kube-virt-interfaces"`,
    settings: { rerouteVirtualInterfaces: 'eth1,eth2', includeOutboundIPRanges: '*' },
    probes: [
      { inbound: 80, captured: false },
      { port: 80, ip: '10.0.0.1', outbound: 'captured' }, { port: 80, ip: '8.8.8.8', outbound: 'captured' },
      { port: 80, ip: '127.0.0.1', outbound: 'bypassed' }, { port: 80, ip: '127.0.0.53', outbound: 'bypassed' }, { port: 80, outbound: 'captured' },
    ],
  },
  {
    source: `${RUN} "ipnets"`,
    settings: { includeOutboundIPRanges: '10.0.0.0/8' },
    probes: [{ port: 80, ip: '10.1.2.3', outbound: 'captured' }, { port: 80, ip: '11.0.0.1', outbound: 'bypassed' }, { port: 80, outbound: 'unknown' }],
  },
  {
    source: `${RUN} "ipnets-with-kube-virt-interfaces"`,
    settings: { rerouteVirtualInterfaces: 'eth1,eth2', includeOutboundIPRanges: '10.0.0.0/8' },
    probes: [{ port: 80, ip: '10.255.0.1', outbound: 'captured' }, { port: 80, ip: '192.168.0.1', outbound: 'bypassed' }],
  },
  {
    source: `${RUN} "inbound-ports-include"`,
    settings: { includeInboundPorts: '32000,31000' },
    probes: [{ inbound: 32000, captured: true }, { inbound: 31000, captured: true }, { inbound: 80, captured: false }],
  },
  {
    source: `${RUN} "inbound-ports-wildcard"`,
    settings: { includeInboundPorts: '*' },
    probes: [{ inbound: 80, captured: true }, { inbound: 15020, captured: true }, { inbound: 15008, captured: false }],
  },
  {
    source: `${RUN} "inbound-ports-tproxy"`,
    settings: { includeInboundPorts: '32000,31000', mode: 'TPROXY' },
    probes: [{ inbound: 32000, captured: true }, { inbound: 80, captured: false }, { inbound: 15008, captured: false }],
  },
  {
    source: `${RUN} "inbound-ports-wildcard-tproxy"`,
    settings: { includeInboundPorts: '*', mode: 'TPROXY' },
    probes: [{ inbound: 80, captured: true }, { inbound: 15008, captured: true }],
  },
  {
    source: `${RUN} "outbound-ports-include"`,
    settings: { includeOutboundPorts: '32000,31000' },
    probes: [{ port: 32000, ip: '10.0.0.1', outbound: 'captured' }, { port: 80, ip: '10.0.0.1', outbound: 'bypassed' }, { port: 31000, outbound: 'captured' }],
  },
  {
    source: `${RUN} "loopback-outbound-iprange"`,
    settings: { includeOutboundIPRanges: '127.1.2.3/32' },
    probes: [
      { port: 80, ip: '127.1.2.3', outbound: 'captured' }, { port: 80, ip: '127.0.0.1', outbound: 'bypassed' },
      { port: 80, ip: '127.1.2.4', outbound: 'bypassed' }, { port: 80, ip: '10.0.0.1', outbound: 'bypassed' },
    ],
  },
];

describe('istio-iptables capture (run_test.go TestIptables goldens)', () => {
  it.each(IPTABLES_CASES)('$source', ({ settings, probes }) => {
    expect(probeRules(iptablesCapture({ ...NO_CAPTURE_SETTINGS, ...settings }), probes)).toEqual(probes);
  });
});

// tools/common/config/config_test.go TestSeparateV4V6: each family's ranges only match that family.
const SEPARATE_V4_V6: ReadonlyArray<{ source: string; include: string; probes: readonly Probe[] }> = [
  {
    source: 'tools/common/config/config_test.go TestSeparateV4V6 "wildcard"',
    include: '*',
    probes: [{ port: 80, ip: '10.0.0.1', outbound: 'captured' }, { port: 80, ip: 'fd04::1', outbound: 'captured' }],
  },
  {
    source: 'tools/common/config/config_test.go TestSeparateV4V6 "v4 only"',
    include: '10.0.0.0/8,172.16.0.0/16',
    probes: [
      { port: 80, ip: '10.9.9.9', outbound: 'captured' }, { port: 80, ip: '172.16.200.1', outbound: 'captured' },
      { port: 80, ip: '172.17.0.1', outbound: 'bypassed' }, { port: 80, ip: '::ffff:10.9.9.9', outbound: 'bypassed' },
    ],
  },
  {
    source: 'tools/common/config/config_test.go TestSeparateV4V6 "v6 only"',
    include: 'fd04:3e42:4a4e:3381::/64,ffff:ffff:ac10:ac10::/64',
    probes: [
      { port: 80, ip: 'fd04:3e42:4a4e:3381::17', outbound: 'captured' }, { port: 80, ip: 'ffff:ffff:ac10:ac10:1:2:3:4', outbound: 'captured' },
      { port: 80, ip: 'fd04:3e42:4a4e:3382::17', outbound: 'bypassed' }, { port: 80, ip: '172.16.172.16', outbound: 'bypassed' },
    ],
  },
];

describe('IP families (config_test.go TestSeparateV4V6)', () => {
  it.each(SEPARATE_V4_V6)('$source', ({ include, probes }) => {
    expect(probeRules(iptablesCapture({ ...NO_CAPTURE_SETTINGS, includeOutboundIPRanges: include }), probes)).toEqual(probes);
  });
});

// ---------------------------------------------------------------------------
// cni/pkg/plugin: what istio-cni programs for an injected pod's annotations.

const DRYRUN = 'cni/pkg/plugin/plugin_dryrun_test.go TestIPTablesRuleGeneration';
const CNI_BASIC_PROBES: readonly Probe[] = [
  { inbound: 8080, captured: true }, { inbound: 15020, captured: false }, { inbound: 15021, captured: false },
  { inbound: 15090, captured: false }, { inbound: 15008, captured: false },
  { port: 80, ip: '10.0.0.1', outbound: 'captured' }, { port: 15020, ip: '10.0.0.1', outbound: 'bypassed' },
  { port: 80, ip: '127.0.0.1', outbound: 'bypassed' },
];

const CNI_DRYRUN: ReadonlyArray<{ source: string; annotations: Record<string, string>; probes: readonly Probe[] }> = [
  { source: `${DRYRUN} "basic"`, annotations: {}, probes: CNI_BASIC_PROBES },
  {
    source: `${DRYRUN} "include-exclude-ip"`,
    annotations: { [A.includeOutboundIPRanges]: '127.0.0.0/8', [A.excludeOutboundIPRanges]: '10.0.0.0/8' },
    probes: [
      { inbound: 8080, captured: true }, { inbound: 15090, captured: false },
      { port: 80, ip: '127.0.0.5', outbound: 'captured' }, { port: 80, ip: '127.0.0.1', outbound: 'bypassed' },
      { port: 80, ip: '10.0.0.1', outbound: 'bypassed' }, { port: 80, ip: '192.168.0.1', outbound: 'bypassed' },
    ],
  },
  {
    source: `${DRYRUN} "include-exclude-ports"`,
    annotations: { [A.includeInboundPorts]: '1111,2222', [A.excludeInboundPorts]: '3333,4444', [A.excludeOutboundPorts]: '5555,6666' },
    probes: [
      { inbound: 1111, captured: true }, { inbound: 2222, captured: true }, { inbound: 3333, captured: false }, { inbound: 8080, captured: false },
      { port: 5555, ip: '10.0.0.1', outbound: 'bypassed' }, { port: 6666, outbound: 'bypassed' },
      { port: 15020, ip: '10.0.0.1', outbound: 'captured' }, { port: 80, ip: '10.0.0.1', outbound: 'captured' },
    ],
  },
  {
    source: `${DRYRUN} "tproxy"`,
    annotations: { [A.interceptionMode]: 'TPROXY' },
    probes: [
      { inbound: 8080, captured: true }, { inbound: 15020, captured: false }, { inbound: 15008, captured: true },
      { port: 80, ip: '10.0.0.1', outbound: 'captured' }, { port: 15020, outbound: 'bypassed' },
    ],
  },
  { source: `${DRYRUN} "invalid-drop"`, annotations: {}, probes: CNI_BASIC_PROBES },
  { source: `${DRYRUN} "custom-uid"`, annotations: {}, probes: CNI_BASIC_PROBES },
  { source: `${DRYRUN} "custom-uid-zero"`, annotations: {}, probes: CNI_BASIC_PROBES },
  {
    source: `${DRYRUN} "custom-uid-tproxy"`,
    annotations: { [A.interceptionMode]: 'TPROXY' },
    probes: [{ inbound: 8080, captured: true }, { inbound: 15090, captured: false }, { port: 15020, ip: '10.0.0.1', outbound: 'bypassed' }],
  },
];

describe('istio-cni capture (plugin_dryrun_test.go goldens)', () => {
  it.each(CNI_DRYRUN)('$source', ({ annotations, probes }) => {
    const { settings, problem } = cniRedirect(annotations);
    expect(problem).toBeNull();
    expect(probeRules(iptablesCapture(settings!), probes)).toEqual(probes);
  });
});

const CMD_ADD = 'cni/pkg/plugin/plugin_test.go';
const CNI_CMD_ADD: ReadonlyArray<{ source: string; annotations: Record<string, string>; expected: Partial<CaptureSettings> }> = [
  { source: `${CMD_ADD} TestCmdAddTwoContainers`, annotations: {}, expected: { includeInboundPorts: '*' } },
  { source: `${CMD_ADD} TestCmdAddTwoContainersWithStarInboundPort`, annotations: { [A.includeInboundPorts]: '*' }, expected: { includeInboundPorts: '*' } },
  { source: `${CMD_ADD} TestCmdAddTwoContainersWithEmptyInboundPort`, annotations: { [A.includeInboundPorts]: '' }, expected: { includeInboundPorts: '' } },
  { source: `${CMD_ADD} TestCmdAddTwoContainersWithEmptyExcludeInboundPort`, annotations: { [A.excludeInboundPorts]: '' }, expected: { excludeInboundPorts: '15020,15021,15090' } },
  { source: `${CMD_ADD} TestCmdAddTwoContainersWithExplictExcludeInboundPort`, annotations: { [A.excludeInboundPorts]: '3306' }, expected: { excludeInboundPorts: '3306,15020,15021,15090' } },
];

describe('istio-cni redirect settings (plugin_test.go TestCmdAdd*)', () => {
  it.each(CNI_CMD_ADD)('$source', ({ annotations, expected }) => {
    const { settings, problem } = cniRedirect(annotations);
    expect(problem).toBeNull();
    expect(settings).toMatchObject(expected);
  });
});

// ---------------------------------------------------------------------------
// Our own cases: the webhook validators (validate.go) and the traps SEMANTICS.md §2 lists.

const OURS = 'ours (validate.go)';
const VALIDATOR_CASES: ReadonlyArray<{ source: string; annotation: string; value: string; rejected: boolean }> = [
  { source: `${OURS} port list: a space after a comma is trimmed`, annotation: A.excludeInboundPorts, value: '8080, 9090', rejected: false },
  { source: `${OURS} port list: surrounding spaces are trimmed`, annotation: A.excludeOutboundPorts, value: '  8080 ', rejected: false },
  { source: `${OURS} port list: empty is allowed`, annotation: A.excludeInboundPorts, value: '', rejected: false },
  { source: `${OURS} port list: only spaces count as empty`, annotation: A.includeInboundPorts, value: '   ', rejected: false },
  { source: `${OURS} port list: leading zeros parse`, annotation: A.excludeInboundPorts, value: '080', rejected: false },
  { source: `${OURS} port list: 0 and 65535 are ports`, annotation: A.excludeInboundPorts, value: '0,65535', rejected: false },
  { source: `${OURS} port list: 65536 is not`, annotation: A.excludeInboundPorts, value: '65536', rejected: true },
  { source: `${OURS} port list: trailing comma`, annotation: A.excludeInboundPorts, value: '8080,', rejected: true },
  { source: `${OURS} port list: empty item`, annotation: A.excludeOutboundPorts, value: '8080,,9090', rejected: true },
  { source: `${OURS} port list: ranges are not allowed`, annotation: A.includeInboundPorts, value: '8000-8010', rejected: true },
  { source: `${OURS} port list: a sign is not allowed`, annotation: A.includeInboundPorts, value: '+80', rejected: true },
  { source: `${OURS} port list: * only in includeInboundPorts`, annotation: A.includeInboundPorts, value: '*', rejected: false },
  { source: `${OURS} port list: * must stand alone, unpadded`, annotation: A.includeInboundPorts, value: ' *', rejected: true },
  { source: `${OURS} port list: * is not a port in excludeOutboundPorts`, annotation: A.excludeOutboundPorts, value: '*', rejected: true },
  { source: `${OURS} includeOutboundPorts is not checked by the webhook`, annotation: A.includeOutboundPorts, value: 'not-a-port', rejected: false },
  { source: `${OURS} CIDR list: a space after a comma rejects`, annotation: A.excludeOutboundIPRanges, value: '10.0.0.0/8, 172.16.0.0/12', rejected: true },
  { source: `${OURS} CIDR list: no spaces is fine`, annotation: A.excludeOutboundIPRanges, value: '10.0.0.0/8,172.16.0.0/12', rejected: false },
  { source: `${OURS} CIDR list: a bare IP rejects`, annotation: A.includeOutboundIPRanges, value: '10.0.0.1', rejected: true },
  { source: `${OURS} CIDR list: host bits may be set`, annotation: A.includeOutboundIPRanges, value: '10.0.0.1/8', rejected: false },
  { source: `${OURS} CIDR list: trailing comma rejects`, annotation: A.includeOutboundIPRanges, value: '10.0.0.0/8,', rejected: true },
  { source: `${OURS} CIDR list: leading zero in an octet rejects`, annotation: A.includeOutboundIPRanges, value: '010.0.0.0/8', rejected: true },
  { source: `${OURS} CIDR list: leading zero in the length rejects`, annotation: A.includeOutboundIPRanges, value: '10.0.0.0/08', rejected: true },
  { source: `${OURS} CIDR list: length over 32 rejects`, annotation: A.includeOutboundIPRanges, value: '10.0.0.0/33', rejected: true },
  { source: `${OURS} CIDR list: IPv6 and IPv4 mixed`, annotation: A.excludeOutboundIPRanges, value: '::/0,fd00::/8,0.0.0.0/0', rejected: false },
  { source: `${OURS} CIDR list: IPv6 with an embedded IPv4`, annotation: A.excludeOutboundIPRanges, value: '::ffff:10.0.0.0/104', rejected: false },
  { source: `${OURS} CIDR list: IPv6 zone rejects`, annotation: A.excludeOutboundIPRanges, value: 'fe80::1%eth0/64', rejected: true },
  { source: `${OURS} CIDR list: IPv6 length over 128 rejects`, annotation: A.excludeOutboundIPRanges, value: 'fd00::/129', rejected: true },
  { source: `${OURS} CIDR list: a :: that stands for nothing rejects`, annotation: A.excludeOutboundIPRanges, value: '1:2:3:4:5:6:7::8/64', rejected: true },
  { source: `${OURS} CIDR list: * only in include`, annotation: A.includeOutboundIPRanges, value: '*', rejected: false },
  { source: `${OURS} CIDR list: * mixed with CIDRs rejects`, annotation: A.includeOutboundIPRanges, value: '*,10.0.0.0/8', rejected: true },
  { source: `${OURS} CIDR list: empty include is allowed`, annotation: A.includeOutboundIPRanges, value: '', rejected: false },
  { source: `${OURS} interceptionMode: NONE`, annotation: A.interceptionMode, value: 'NONE', rejected: false },
  { source: `${OURS} interceptionMode: TPROXY`, annotation: A.interceptionMode, value: 'TPROXY', rejected: false },
  { source: `${OURS} interceptionMode: lower case rejects`, annotation: A.interceptionMode, value: 'redirect', rejected: true },
  { source: `${OURS} interceptionMode: empty rejects`, annotation: A.interceptionMode, value: '', rejected: true },
  { source: `${OURS} status port: a number`, annotation: A.statusPort, value: ' 15021 ', rejected: false },
  { source: `${OURS} status port: empty rejects`, annotation: A.statusPort, value: '', rejected: true },
  { source: `${OURS} status port: a list rejects`, annotation: A.statusPort, value: '15020,15021', rejected: true },
];

describe('webhook validators (ours)', () => {
  it.each(VALIDATOR_CASES)('$source', ({ annotation, value, rejected }) => {
    const problems = validateCaptureAnnotations({ [annotation]: value });
    expect(problems.length > 0).toBe(rejected);
    for (const p of problems) expect(p).toMatchObject({ annotation, value, rejectedBy: 'injection-webhook', unverified: false });
  });

  it('names what is allowed in the message', () => {
    const [ports] = validateCaptureAnnotations({ [A.excludeInboundPorts]: '8080,' });
    expect(ports.message).toContain('"8080,"');
    expect(ports.message).toContain('no ranges');
    const [mode] = validateCaptureAnnotations({ [A.interceptionMode]: 'redirect' });
    expect(mode.message).toContain('REDIRECT, TPROXY, NONE');
  });

  it('reports every invalid annotation, not only the first', () => {
    const problems = validateCaptureAnnotations({ [A.excludeInboundPorts]: '8080,', [A.excludeOutboundIPRanges]: '10.0.0.1', [A.includeInboundPorts]: '80' });
    expect(problems.map((p) => p.annotation).sort()).toEqual([A.excludeInboundPorts, A.excludeOutboundIPRanges].sort());
  });
});

const TRAPS = 'ours (SEMANTICS.md §2 example';
interface PodRow {
  source: string;
  annotations: Record<string, string>;
  defaults?: Partial<CaptureDefaults>;
  probes: readonly Probe[];
}

const POD_CASES: readonly PodRow[] = [
  {
    source: `${TRAPS} 1) excludeInboundPorts bypasses the port`,
    annotations: { [A.excludeInboundPorts]: '9090' },
    probes: [
      { inbound: 9090, captured: false }, { inbound: 8080, captured: true }, { inbound: 15020, captured: false },
      { inbound: 15021, captured: false }, { inbound: 15090, captured: false }, { inbound: 15008, captured: false },
    ],
  },
  {
    source: `${TRAPS} 2) a list include ignores the exclusions`,
    annotations: { [A.includeInboundPorts]: '8080', [A.excludeInboundPorts]: '8080' },
    probes: [{ inbound: 8080, captured: true }, { inbound: 9090, captured: false }],
  },
  {
    source: `${TRAPS} 3) an empty include captures no port`,
    annotations: { [A.includeInboundPorts]: '' },
    probes: [{ inbound: 8080, captured: false }, { inbound: 443, captured: false }, { port: 80, ip: '10.0.0.1', outbound: 'captured' }],
  },
  {
    source: `${TRAPS} 4) excludeOutboundPorts sends the app's own bytes`,
    annotations: { [A.excludeOutboundPorts]: '5432' },
    probes: [{ port: 5432, ip: '10.96.0.10', outbound: 'bypassed' }, { port: 5432, outbound: 'bypassed' }, { port: 80, outbound: 'captured' }],
  },
  {
    source: `${TRAPS} 5) a port list with spaces is accepted`,
    annotations: { [A.excludeInboundPorts]: '8080, 9090' },
    probes: [{ inbound: 8080, captured: false }, { inbound: 9090, captured: false }, { inbound: 7070, captured: true }],
  },
  {
    source: `${TRAPS} 6) interceptionMode NONE captures nothing`,
    annotations: { [A.interceptionMode]: 'NONE' },
    probes: [{ inbound: 8080, captured: false }, { port: 80, ip: '10.0.0.1', outbound: 'bypassed' }],
  },
  {
    source: 'ours: TPROXY captures the same application ports as REDIRECT',
    annotations: { [A.interceptionMode]: 'TPROXY', [A.excludeInboundPorts]: '9090' },
    probes: [{ inbound: 8080, captured: true }, { inbound: 9090, captured: false }, { inbound: 15020, captured: false }],
  },
  {
    source: 'ours: a status port annotation moves the status exclusion',
    annotations: { [A.statusPort]: '15999' },
    probes: [{ inbound: 15999, captured: false }, { inbound: 15020, captured: true }],
  },
  {
    source: 'ours: istio-cni always excludes 15020 too, whatever the status port',
    annotations: { [A.statusPort]: '15999' },
    defaults: { cni: true },
    probes: [{ inbound: 15999, captured: false }, { inbound: 15020, captured: false }, { inbound: 8080, captured: true }],
  },
  {
    source: 'ours: istio-cni skips outbound 15020 unless the pod sets excludeOutboundPorts',
    annotations: {},
    defaults: { cni: true },
    probes: [{ port: 15020, ip: '10.0.0.1', outbound: 'bypassed' }, { port: 80, ip: '10.0.0.1', outbound: 'captured' }],
  },
  {
    source: 'ours: istio-cni with excludeOutboundPorts "" captures outbound 15020',
    annotations: { [A.excludeOutboundPorts]: '' },
    defaults: { cni: true },
    probes: [{ port: 15020, ip: '10.0.0.1', outbound: 'captured' }],
  },
  {
    source: 'ours: without istio-cni outbound 15020 is captured',
    annotations: {},
    probes: [{ port: 15020, ip: '10.0.0.1', outbound: 'captured' }],
  },
  {
    source: 'ours: an empty include-range annotation captures no IP, with or without istio-cni',
    annotations: { [A.includeOutboundIPRanges]: '' },
    defaults: { cni: true },
    probes: [{ port: 80, ip: '10.0.0.1', outbound: 'bypassed' }, { port: 80, outbound: 'bypassed' }],
  },
  {
    source: 'ours: an empty mesh-default include range captures nothing with istio-init',
    annotations: {},
    defaults: { includeOutboundIPRanges: '' },
    probes: [{ port: 80, ip: '10.0.0.1', outbound: 'bypassed' }],
  },
  {
    source: 'ours: an empty mesh-default include range is not written for istio-cni, which then captures every IP',
    annotations: {},
    defaults: { includeOutboundIPRanges: '', cni: true },
    probes: [{ port: 80, ip: '10.0.0.1', outbound: 'captured' }],
  },
  {
    source: 'ours: excluded ranges make an unknown IP unknown',
    annotations: { [A.excludeOutboundIPRanges]: '10.96.0.0/12' },
    probes: [
      { port: 80, outbound: 'unknown' }, { port: 80, ip: '10.96.0.10', outbound: 'bypassed' }, { port: 80, ip: '10.244.1.5', outbound: 'captured' },
    ],
  },
  {
    source: 'ours: included ports win over included ranges but not over excluded ranges',
    annotations: { [A.includeOutboundIPRanges]: '10.244.0.0/16', [A.excludeOutboundIPRanges]: '10.96.0.0/12', [A.includeOutboundPorts]: '5432' },
    probes: [
      { port: 5432, ip: '8.8.8.8', outbound: 'captured' }, { port: 5432, ip: '10.96.0.1', outbound: 'bypassed' },
      { port: 80, ip: '10.244.3.3', outbound: 'captured' }, { port: 80, ip: '8.8.8.8', outbound: 'bypassed' }, { port: 5432, outbound: 'unknown' },
    ],
  },
  {
    source: 'ours: include ranges covering both families capture any IP',
    annotations: { [A.includeOutboundIPRanges]: '0.0.0.0/0,::/0' },
    probes: [{ port: 80, outbound: 'captured' }, { port: 80, ip: '203.0.113.9', outbound: 'captured' }],
  },
];

describe('readPodCapture (ours)', () => {
  it.each(POD_CASES)('$source', ({ annotations, defaults, probes }) => {
    const pod = readPodCapture(annotations, { ...DEFAULTS, ...defaults });
    expect(pod.problems).toEqual([]);
    expect(pod.admitted).toBe(true);
    expect(probeRules(pod, probes)).toEqual(probes);
  });

  it('explains ignored exclusions, an empty include and NONE', () => {
    expect(readPodCapture({ [A.includeInboundPorts]: '8080', [A.excludeInboundPorts]: '8080' }, DEFAULTS).inboundNote).toMatch(/"8080" is ignored because includeInboundPorts is a list/);
    expect(readPodCapture({ [A.includeInboundPorts]: '' }, DEFAULTS).inboundNote).toMatch(/no inbound port is captured/);
    expect(readPodCapture({ [A.interceptionMode]: 'NONE' }, DEFAULTS).inboundNote).toMatch(/NONE/);
    expect(readPodCapture({}, DEFAULTS).inboundNote).toBeUndefined();
  });

  it('rejects a CIDR list with a space at admission: no pod, nothing captured', () => {
    const pod = readPodCapture({ [A.excludeOutboundIPRanges]: '10.0.0.0/8, 172.16.0.0/12', [A.excludeInboundPorts]: '9090' }, DEFAULTS);
    expect(pod.admitted).toBe(false);
    expect(pod.problems).toEqual([expect.objectContaining({ annotation: A.excludeOutboundIPRanges, rejectedBy: 'injection-webhook' })]);
    expect(pod.inboundCaptured(8080)).toBe(false);
    expect(pod.settings).toBeNull();
  });

  it('has istio-cni refuse interceptionMode NONE (source only)', () => {
    const pod = readPodCapture({ [A.interceptionMode]: 'NONE' }, CNI);
    expect(pod.admitted).toBe(false);
    expect(pod.problems).toEqual([expect.objectContaining({ annotation: A.interceptionMode, value: 'NONE', rejectedBy: 'istio-cni', unverified: true })]);
    expect(readPodCapture({ [A.interceptionMode]: 'NONE' }, DEFAULTS).admitted).toBe(true);
  });

  it('lets a bad includeOutboundPorts through the webhook but not through istio-init or istio-cni', () => {
    const annotations = { [A.includeOutboundPorts]: '80-90' };
    expect(validateCaptureAnnotations(annotations)).toEqual([]);
    expect(readPodCapture(annotations, DEFAULTS).problems).toEqual([expect.objectContaining({ rejectedBy: 'istio-init', unverified: true })]);
    expect(readPodCapture(annotations, CNI).problems).toEqual([expect.objectContaining({ rejectedBy: 'istio-cni' })]);
  });

  it('flags a mesh default that istio-iptables cannot use', () => {
    const pod = readPodCapture({}, { ...DEFAULTS, excludeOutboundIPRanges: '10.0.0.0/8, 172.16.0.0/12' });
    expect(pod.problems).toEqual([expect.objectContaining({ annotation: A.excludeOutboundIPRanges, rejectedBy: 'istio-init' })]);
    expect(readPodCapture({}, { ...DEFAULTS, excludeOutboundIPRanges: '*' }).admitted).toBe(false);
  });

  it('reports the interface annotations as notes, the newer reroute annotation winning', () => {
    const pod = readPodCapture({ [A.excludeInterfaces]: 'net9', [A.kubevirtInterfaces]: 'net1', [A.rerouteVirtualInterfaces]: 'net2' }, DEFAULTS);
    expect(pod.notes).toHaveLength(2);
    expect(pod.notes[0]).toContain('net9');
    expect(pod.notes[1]).toContain('net2');
    expect(pod.notes[1]).not.toContain('net1');
    expect(readPodCapture({}, DEFAULTS).notes).toEqual([]);
  });

  it('falls back to the default mode when the annotation is invalid', () => {
    const pod = readPodCapture({ [A.interceptionMode]: 'Tproxy' }, { ...DEFAULTS, interceptionMode: 'REDIRECT' });
    expect(pod.mode).toBe('REDIRECT');
    expect(pod.admitted).toBe(false);
  });

  it('treats an unparsable destination IP like an unknown one', () => {
    const pod = readPodCapture({ [A.excludeOutboundIPRanges]: '10.96.0.0/12' }, DEFAULTS);
    expect(pod.outbound({ port: 80, ip: 'not-an-ip' })).toBe('unknown');
  });
});
