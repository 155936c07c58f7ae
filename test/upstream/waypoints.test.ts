/*
 * Waypoint binding (SEMANTICS.md §1 rule 7) against istio/istio 1.30.3:
 *   pilot/pkg/serviceregistry/ambient/waypoints_test.go
 *   pilot/pkg/serviceregistry/ambient/ambientindex_test.go (waypoint cases)
 *
 * Upstream cases not ported, and why:
 * | source | case | reason |
 * | ambientindex_test.go TestAmbientIndex_WaypointForWorkloadTraffic | the four "(multicluster enabled but unused)" rows | same expectations as the base rows under a feature flag; our model has no multi-network mode |
 * | ambientindex_test.go TestAmbientIndex_WaypointConfiguredOnlyWhenReady | "multicluster (enabled but unused)" | as above |
 * | ambientindex_test.go TestAmbientIndex_ServiceAttachedWaypoints | "multicluster (enabled but unused)" | as above |
 * | ambientindex_test.go TestAmbientIndex_WaypointAddressAddedToWorkloads | waypoint hostnames, VIP lookups, event ordering | xDS address lookups and push events, not binding; the binding assertions are ported |
 * | ambientindex_test.go TestAmbientIndex_ServicesForWaypoint | all | which Services a waypoint serves, keyed by its status address/hostname (needs the live index) |
 * | ambientindex_test.go TestAmbientIndex_WaypointInboundBinding | ApplicationTunnel on the instance | the tunnel written into the workload's xDS; the binding parse and "instance has no waypoint" are ported |
 * | ambientindex_test.go TestDefaultAllowWaypointPolicy | all | PILOT_AUTO_ALLOW_WAYPOINT_POLICY implicit policies, not binding (rule 8) |
 */
import { describe, expect, it } from 'vitest';
import { GatewayClassInfo, GatewayInfo, parseGateway, parseGatewayClass, readGatewayApi } from '../../src/model/gateways';
import { Labels, formatLabels } from '../../src/model/labels';
import {
  WaypointTarget, WaypointTrafficType, waypointAllowedRoutes, waypointFor, waypointInboundBinding, waypointTrafficType,
} from '../../src/resolution/waypoints';

const NS = 'ns1';

interface GatewayOpts {
  namespace?: string;
  className?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  listeners?: unknown[];
  ready?: boolean;
}

/** A Gateway API Gateway manifest. */
function gatewayManifest(name: string, o: GatewayOpts = {}) {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: {
      name,
      namespace: o.namespace ?? NS,
      ...(o.labels ? { labels: o.labels } : {}),
      ...(o.annotations ? { annotations: o.annotations } : {}),
    },
    spec: { ...(o.className !== undefined ? { gatewayClassName: o.className } : {}), listeners: o.listeners ?? [] },
    ...(o.ready === false ? {} : { status: { addresses: [{ type: 'Hostname', value: `${name}.${o.namespace ?? NS}.svc.cluster.local` }] } }),
  };
}

function gateway(name: string, o: GatewayOpts = {}): GatewayInfo {
  return parseGateway(gatewayManifest(name, o));
}

interface ClassOpts {
  controllerName?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

function gatewayClass(name: string, o: ClassOpts = {}): GatewayClassInfo {
  return parseGatewayClass({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'GatewayClass',
    metadata: { name, ...(o.labels ? { labels: o.labels } : {}), ...(o.annotations ? { annotations: o.annotations } : {}) },
    spec: { controllerName: o.controllerName ?? 'istio.io/mesh-controller' },
  });
}

/** The waypoint ambientindex_test.go addWaypoint creates: class istio-waypoint, HBONE 15008 from Same, waypoint-for label (service unless a known value). */
function testWaypoint(name: string, trafficType: string, ready: boolean): GatewayInfo {
  const known = ['service', 'workload', 'all', 'none'];
  return gateway(name, {
    className: 'istio-waypoint',
    labels: { 'istio.io/waypoint-for': trafficType !== '' && known.includes(trafficType) ? trafficType : 'service' },
    listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE', allowedRoutes: { namespaces: { from: 'Same' } } }],
    ready,
  });
}

const ISTIO_WAYPOINT_CLASS = gatewayClass('istio-waypoint');
const SANDWICHED_CLASS = gatewayClass('sandwiched-waypoint', { controllerName: 'sandwiched-controller' });

function selectorString(routes: ReturnType<typeof waypointAllowedRoutes>): string {
  return routes.selector ? formatLabels(routes.selector.matchLabels) : '';
}

describe('waypoints_test.go TestMakeAllowedRoutes', () => {
  const rows: { source: string; gateway: GatewayInfo; classes: GatewayClassInfo[]; from: string; selector: string }[] = [
    {
      source: 'waypoints_test.go TestMakeAllowedRoutes "istio-waypoint defaults to same namespace"',
      gateway: gateway('gw', { className: 'istio-waypoint', listeners: [] }),
      classes: [ISTIO_WAYPOINT_CLASS],
      from: 'Same',
      selector: '',
    },
    {
      source: 'waypoints_test.go TestMakeAllowedRoutes "istio-waypoint matching listener with no allowed routes"',
      gateway: gateway('gw', { listeners: [{ protocol: 'HBONE', port: 15008 }] }),
      classes: [ISTIO_WAYPOINT_CLASS],
      from: 'Same',
      selector: '',
    },
    {
      source: 'waypoints_test.go TestMakeAllowedRoutes "istio-waypoint matching listener with allowed routes"',
      gateway: gateway('gw', { listeners: [{ protocol: 'HBONE', port: 15008, allowedRoutes: { namespaces: { from: 'All' } } }] }),
      classes: [],
      from: 'All',
      selector: '',
    },
    {
      source: 'waypoints_test.go TestMakeAllowedRoutes "istio-waypoint matching listener with selector"',
      gateway: gateway('gw', { listeners: [{ protocol: 'HBONE', port: 15008, allowedRoutes: { namespaces: { from: 'Selector', selector: { matchLabels: { app: 'test' } } } } }] }),
      classes: [],
      from: 'Selector',
      selector: 'app=test',
    },
    {
      source: 'waypoints_test.go TestMakeAllowedRoutes "sandwiched waypoint defaults to same namespace"',
      gateway: gateway('gw', {
        className: 'sandwiched-waypoint',
        annotations: { 'ambient.istio.io/waypoint-inbound-binding': 'PROXY/15088' },
        listeners: [{ protocol: 'istio.io/PROXY', port: 15088 }],
      }),
      classes: [SANDWICHED_CLASS],
      from: 'Same',
      selector: '',
    },
    {
      source: 'waypoints_test.go TestMakeAllowedRoutes "sandwiched waypoint with listener with allowed routes" (first)',
      gateway: gateway('gw', {
        className: 'sandwiched-waypoint',
        annotations: { 'ambient.istio.io/waypoint-inbound-binding': 'PROXY/15088' },
        listeners: [
          { name: 'should be ignored', protocol: 'istio.io/PROXY', port: 15089, allowedRoutes: { namespaces: { from: 'Same' } } },
          { name: 'should be used', protocol: 'istio.io/PROXY', port: 15088, allowedRoutes: { namespaces: { from: 'All' } } },
        ],
      }),
      classes: [SANDWICHED_CLASS],
      from: 'All',
      selector: '',
    },
    {
      source: 'waypoints_test.go TestMakeAllowedRoutes "sandwiched waypoint with listener with allowed routes" (second)',
      gateway: gateway('gw', {
        className: 'sandwiched-waypoint',
        annotations: { 'ambient.istio.io/waypoint-inbound-binding': 'PROXY/15088' },
        listeners: [
          { name: 'should be ignored', protocol: 'istio.io/PROXY', port: 15089 },
          { name: 'should be used', protocol: 'istio.io/PROXY', port: 15088, allowedRoutes: { namespaces: { from: 'All' } } },
        ],
      }),
      classes: [SANDWICHED_CLASS],
      from: 'All',
      selector: '',
    },
    {
      source: 'waypoints_test.go TestMakeAllowedRoutes "sandwiched waypoint with listener with allowed routes on port 0"',
      gateway: gateway('gw', {
        className: 'sandwiched-waypoint',
        annotations: { 'ambient.istio.io/waypoint-inbound-binding': 'PROXY' },
        listeners: [{ name: 'should be used', protocol: 'istio.io/PROXY', port: 15015, allowedRoutes: { namespaces: { from: 'All' } } }],
      }),
      classes: [SANDWICHED_CLASS],
      from: 'All',
      selector: '',
    },
  ];

  it.each(rows)('$source', ({ gateway: gw, classes, from, selector }) => {
    const routes = waypointAllowedRoutes(gw, classes);
    expect(routes.from).toBe(from);
    expect(selectorString(routes)).toBe(selector);
  });
});

interface BindingRow {
  source: string;
  target: WaypointTarget;
  namespaceLabels: Labels | undefined;
  gateways: GatewayInfo[];
  classes?: GatewayClassInfo[];
  traffic: WaypointTrafficType;
  requireReadyStatus?: boolean;
  /** `namespace/name` of the waypoint, or null. */
  waypoint: string | null;
  status?: string;
}

function pod(name: string, labels: Labels, namespace = NS): WaypointTarget {
  return { kind: 'Pod', namespace, name, labels };
}

function service(name: string, labels: Labels, namespace = NS): WaypointTarget {
  return { kind: 'Service', namespace, name, labels };
}

function runBinding(row: BindingRow) {
  return waypointFor(row.target, row.namespaceLabels, row.gateways, row.classes ?? [], row.traffic, { requireReadyStatus: row.requireReadyStatus });
}

function bound(row: BindingRow): string | null {
  const b = runBinding(row);
  return b.waypoint ? `${b.waypoint.namespace}/${b.waypoint.name}` : null;
}

describe('ambientindex_test.go waypoint binding', () => {
  const useTestWp = { 'istio.io/use-waypoint': 'test-wp' };
  const trafficRows: BindingRow[] = [
    ['service', null, 'ns1/test-wp'],
    ['all', 'ns1/test-wp', 'ns1/test-wp'],
    ['workload', 'ns1/test-wp', null],
    ['none', null, null],
  ].flatMap(([trafficType, podWaypoint, svcWaypoint]) => [
    {
      source: `ambientindex_test.go TestAmbientIndex_WaypointForWorkloadTraffic "${trafficType} traffic" (pod labelled)`,
      target: pod('pod1', { app: 'a', ...useTestWp }),
      namespaceLabels: {},
      gateways: [testWaypoint('test-wp', trafficType as string, true)],
      traffic: 'workload' as const,
      waypoint: podWaypoint,
    },
    {
      source: `ambientindex_test.go TestAmbientIndex_WaypointForWorkloadTraffic "${trafficType} traffic" (service labelled)`,
      target: service('svc1', useTestWp),
      namespaceLabels: {},
      gateways: [testWaypoint('test-wp', trafficType as string, true)],
      traffic: 'service' as const,
      waypoint: svcWaypoint,
    },
  ]);

  const readyRows: BindingRow[] = [
    {
      source: 'ambientindex_test.go TestAmbientIndex_WaypointConfiguredOnlyWhenReady "base" (waypoint-sa1 not ready)',
      target: pod('pod1', { 'app': 'a', 'istio.io/use-waypoint': 'waypoint-sa1' }),
      namespaceLabels: {},
      gateways: [testWaypoint('waypoint-sa1', '', false), testWaypoint('waypoint-sa2', 'workload', true)],
      traffic: 'workload',
      requireReadyStatus: true,
      waypoint: null,
      status: 'not-ready',
    },
    {
      source: 'ambientindex_test.go TestAmbientIndex_WaypointConfiguredOnlyWhenReady "base" (waypoint-sa2 ready)',
      target: pod('pod2', { 'app': 'b', 'istio.io/use-waypoint': 'waypoint-sa2' }),
      namespaceLabels: {},
      gateways: [testWaypoint('waypoint-sa1', '', false), testWaypoint('waypoint-sa2', 'workload', true)],
      traffic: 'workload',
      requireReadyStatus: true,
      waypoint: 'ns1/waypoint-sa2',
      status: 'bound',
    },
    {
      source: 'ambientindex_test.go TestAmbientIndex_WaypointConfiguredOnlyWhenReady "base" (waypoint-sa1 made ready)',
      target: pod('pod1', { 'app': 'a', 'istio.io/use-waypoint': 'waypoint-sa1' }),
      namespaceLabels: {},
      gateways: [testWaypoint('waypoint-sa1', 'workload', true), testWaypoint('waypoint-sa2', 'workload', true)],
      traffic: 'workload',
      requireReadyStatus: true,
      waypoint: 'ns1/waypoint-sa1',
      status: 'bound',
    },
  ];

  const nsWaypoint = { 'istio.io/use-waypoint': 'waypoint-ns' };
  const addressRows: BindingRow[] = [
    {
      source: 'ambientindex_test.go TestAmbientIndex_WaypointAddressAddedToWorkloads (pod3 inherits the namespace waypoint)',
      target: pod('pod3', { app: 'a' }),
      namespaceLabels: nsWaypoint,
      gateways: [testWaypoint('waypoint-ns', 'all', true), testWaypoint('waypoint-sa2', 'all', true)],
      traffic: 'workload',
      waypoint: 'ns1/waypoint-ns',
    },
    {
      source: 'ambientindex_test.go TestAmbientIndex_WaypointAddressAddedToWorkloads (pod4 label wins)',
      target: pod('pod4', { 'app': 'b', 'istio.io/use-waypoint': 'waypoint-sa2' }),
      namespaceLabels: nsWaypoint,
      gateways: [testWaypoint('waypoint-ns', 'all', true), testWaypoint('waypoint-sa2', 'all', true)],
      traffic: 'workload',
      waypoint: 'ns1/waypoint-sa2',
    },
    {
      source: 'ambientindex_test.go TestAmbientIndex_WaypointAddressAddedToWorkloads "Waypoints do not have waypoints"',
      target: pod('waypoint-ns-pod', { 'gateway.istio.io/managed': 'istio.io-mesh-controller', 'gateway.networking.k8s.io/gateway-name': 'waypoint-ns' }),
      namespaceLabels: nsWaypoint,
      gateways: [testWaypoint('waypoint-ns', 'all', true), testWaypoint('waypoint-sa2', 'all', true)],
      traffic: 'workload',
      waypoint: null,
      status: 'is-waypoint',
    },
    {
      source: 'ambientindex_test.go TestAmbientIndex_WaypointAddressAddedToWorkloads "Make sure Service sees waypoints as well" (svc1 pods)',
      target: pod('pod1', { app: 'a' }),
      namespaceLabels: nsWaypoint,
      gateways: [testWaypoint('waypoint-ns', 'all', true), testWaypoint('waypoint-sa2', 'all', true)],
      traffic: 'workload',
      waypoint: 'ns1/waypoint-ns',
    },
    {
      source: 'ambientindex_test.go TestAmbientIndex_ServiceAttachedWaypoints "base"',
      target: service('svc1', { 'istio.io/use-waypoint': 'test-wp' }),
      namespaceLabels: {},
      gateways: [testWaypoint('test-wp', 'default', true)],
      traffic: 'service',
      waypoint: 'ns1/test-wp',
    },
    {
      source: 'ambientindex_test.go TestAmbientIndex_WaypointInboundBinding (the instance pod has no waypoint)',
      target: pod('proxy-sandwich-instance', { 'gateway.networking.k8s.io/gateway-name': 'proxy-sandwich' }),
      namespaceLabels: {},
      gateways: [testWaypoint('proxy-sandwich', 'all', true)],
      classes: [gatewayClass('istio-waypoint', { annotations: { 'ambient.istio.io/waypoint-inbound-binding': 'PROXY/15088' } })],
      traffic: 'workload',
      waypoint: null,
      status: 'is-waypoint',
    },
  ];

  it.each([...trafficRows, ...readyRows, ...addressRows])('$source', (row) => {
    expect(bound(row)).toBe(row.waypoint);
    if (row.status) expect(runBinding(row).status).toBe(row.status);
  });

  it('ambientindex_test.go TestAmbientIndex_WaypointInboundBinding: the class annotation gives PROXY/15088', () => {
    const gw = testWaypoint('proxy-sandwich', 'all', true);
    const cls = gatewayClass('istio-waypoint', { annotations: { 'ambient.istio.io/waypoint-inbound-binding': 'PROXY/15088' } });
    expect(waypointInboundBinding(gw, cls)).toEqual({ protocol: 'PROXY', port: 15088 });
    expect(waypointInboundBinding(gw)).toBeNull();
  });
});

describe('waypoint binding traps (SEMANTICS.md §1 rule 7)', () => {
  const wp = (o: GatewayOpts = {}) => gateway('wp', {
    className: 'istio-waypoint',
    listeners: [{ name: 'mesh', protocol: 'HBONE', port: 15008, allowedRoutes: { namespaces: { from: 'Same' } } }],
    ...o,
  });

  it('the object label wins over the namespace label, and none opts out', () => {
    const gws = [wp(), gateway('other', { className: 'istio-waypoint' })];
    expect(bound({ source: '', target: service('s', { 'istio.io/use-waypoint': 'other' }), namespaceLabels: { 'istio.io/use-waypoint': 'wp' }, gateways: gws, traffic: 'service', waypoint: null })).toBe('ns1/other');
    const optedOut = waypointFor(service('s', { 'istio.io/use-waypoint': 'none' }), { 'istio.io/use-waypoint': 'wp' }, gws, [], 'service');
    expect(optedOut).toMatchObject({ waypoint: null, status: 'opted-out', labelSource: 'object' });
  });

  it("the docs' '#none' is not an opt-out: it names a Gateway that is not there", () => {
    const b = waypointFor(service('s', { 'istio.io/use-waypoint': '#none' }), { 'istio.io/use-waypoint': 'wp' }, [wp()], [], 'service');
    expect(b.status).toBe('not-ready');
    expect(b.problems.join(' ')).toContain('ns1/#none');
  });

  it('a waypoint in another namespace needs use-waypoint-namespace and allowedRoutes that admit the namespace', () => {
    const labels = { 'istio.io/use-waypoint': 'wp', 'istio.io/use-waypoint-namespace': 'infra' };
    const same = waypointFor(service('s', labels, 'shop'), {}, [wp({ namespace: 'infra' })], [], 'service');
    expect(same.status).toBe('attachment-denied');
    expect(same.problems.join(' ')).toContain('does not allow attachment from namespace shop');
    const all = wp({ namespace: 'infra', listeners: [{ protocol: 'HBONE', port: 15008, allowedRoutes: { namespaces: { from: 'All' } } }] });
    expect(waypointFor(service('s', labels, 'shop'), {}, [all], [], 'service').waypoint).toEqual({ namespace: 'infra', name: 'wp' });
    const selector = wp({ namespace: 'infra', listeners: [{ protocol: 'HBONE', port: 15008, allowedRoutes: { namespaces: { from: 'Selector', selector: { matchExpressions: [{ key: 'team', operator: 'In', values: ['shop'] }] } } } }] });
    expect(waypointFor(service('s', labels, 'shop'), { team: 'shop' }, [selector], [], 'service').status).toBe('bound');
    expect(waypointFor(service('s', labels, 'shop'), { team: 'ops' }, [selector], [], 'service').status).toBe('attachment-denied');
    // Without the namespace-override label the name is looked up in the object's namespace.
    expect(waypointFor(service('s', { 'istio.io/use-waypoint': 'wp' }, 'shop'), {}, [all], [], 'service').status).toBe('not-ready');
  });

  it('waypoint-for comes from the Gateway, else its GatewayClass, else service', () => {
    const cls = gatewayClass('istio-waypoint', { labels: { 'istio.io/waypoint-for': 'workload' } });
    expect(waypointTrafficType(wp(), [])).toBe('service');
    expect(waypointTrafficType(wp(), [cls])).toBe('workload');
    expect(waypointTrafficType(wp({ labels: { 'istio.io/waypoint-for': 'all' } }), [cls])).toBe('all');
  });

  it('a service waypoint rejects a labelled workload but is silently skipped by one that only inherits the namespace label', () => {
    const labelled = waypointFor(pod('p', { 'istio.io/use-waypoint': 'wp' }), {}, [wp()], [], 'workload');
    expect(labelled.status).toBe('unsupported-traffic-type');
    expect(labelled.problems).toHaveLength(1);
    const inherited = waypointFor(pod('p', {}), { 'istio.io/use-waypoint': 'wp' }, [wp()], [], 'workload');
    expect(inherited).toMatchObject({ waypoint: null, status: 'no-waypoint', problems: [] });
    // A Service is not excused: a workload-only waypoint named by its namespace is an error.
    const svc = waypointFor(service('s', {}), { 'istio.io/use-waypoint': 'wp' }, [wp({ labels: { 'istio.io/waypoint-for': 'workload' } })], [], 'service');
    expect(svc.status).toBe('unsupported-traffic-type');
  });

  it("a waypoint's own Service never uses a waypoint", () => {
    const b = waypointFor(service('wp', { 'gateway.istio.io/managed': 'istio.io-mesh-controller' }), { 'istio.io/use-waypoint': 'wp' }, [wp()], [], 'service');
    expect(b.status).toBe('is-waypoint');
  });

  it('offline, a Gateway without status.addresses counts as present and is flagged as assumed ready', () => {
    const b = waypointFor(service('s', { 'istio.io/use-waypoint': 'wp' }), {}, [wp({ ready: false })], [], 'service');
    expect(b).toMatchObject({ status: 'bound', assumedReady: true });
    expect(waypointFor(service('s', { 'istio.io/use-waypoint': 'wp' }), {}, [wp()], [], 'service').assumedReady).toBe(false);
  });

  it('binds a Gateway of another class (istiod does not check it) but says so', () => {
    const b = waypointFor(service('s', { 'istio.io/use-waypoint': 'wp' }), {}, [wp({ className: 'istio' })], [gatewayClass('istio', { controllerName: 'istio.io/gateway-controller' })], 'service');
    expect(b.status).toBe('bound');
    expect(b.problems.join(' ')).toContain("gatewayClassName 'istio'");
  });

  it('an unknown namespace gives no namespace waypoint and says why', () => {
    const b = waypointFor(service('s', {}), undefined, [wp()], [], 'service');
    expect(b.status).toBe('no-waypoint');
    expect(b.reason).toContain('not in the input');
  });
});

describe('readGatewayApi', () => {
  it('reads Gateway API Gateways and GatewayClasses of any version, and nothing else', () => {
    const read = readGatewayApi([
      { ...gatewayManifest('a'), apiVersion: 'gateway.networking.k8s.io/v1beta1' },
      { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'istio-gw', namespace: NS } },
      { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'istio-waypoint', labels: { 'istio.io/waypoint-for': 'all' } }, spec: { controllerName: 'istio.io/mesh-controller' } },
      { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'b' }, spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE', allowedRoutes: { namespaces: { from: 'Bogus' } } }] } },
    ]);
    expect(read.gateways.map((g) => `${g.namespace}/${g.name}:${g.hasStatusAddresses}`)).toEqual(['ns1/a:true', 'default/b:false']);
    expect(read.gateways[1].listeners[0]).toMatchObject({ port: 15008, protocol: 'HBONE', allowedFrom: 'Same', allowedFromUnknown: true });
    expect(read.classes).toHaveLength(1);
    expect(read.classes[0]).toMatchObject({ name: 'istio-waypoint', controllerName: 'istio.io/mesh-controller', waypointFor: 'all' });
    expect(Object.isFrozen(read.gateways[0])).toBe(true);
  });
});
