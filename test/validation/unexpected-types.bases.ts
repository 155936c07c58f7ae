/**
 * One valid manifest of every kind the engine reads, each with the fields the
 * validator and the analysis look at, to mutate field by field.
 */
export function unexpectedTypeBases(): Record<string, unknown>[] {
  const pod = {
    metadata: {
      labels: { 'app': 'api', 'version': 'v1', 'sidecar.istio.io/inject': 'true', 'istio.io/dataplane-mode': 'none' },
      annotations: {
        'sidecar.istio.io/inject': 'true',
        'traffic.sidecar.istio.io/includeInboundPorts': '8080,9090',
        'traffic.sidecar.istio.io/excludeInboundPorts': '15021',
        'traffic.sidecar.istio.io/excludeOutboundPorts': '5432',
        'traffic.sidecar.istio.io/includeOutboundIPRanges': '*',
        'traffic.sidecar.istio.io/excludeOutboundIPRanges': '10.0.0.0/8',
        'sidecar.istio.io/interceptionMode': 'REDIRECT',
        'status.sidecar.istio.io/port': '15020',
        'proxy.istio.io/config': '{"holdApplicationUntilProxyStarts": true}',
        'mtls.exception/owner': 'team',
      },
    },
    spec: {
      serviceAccountName: 'api',
      hostNetwork: false,
      initContainers: [{ name: 'init', image: 'x', ports: [{ containerPort: 7070 }] }],
      containers: [{ name: 'app', image: 'x', ports: [{ containerPort: 8080, name: 'http', protocol: 'TCP' }, { containerPort: 9090 }] }],
    },
  };
  const selector = { matchLabels: { app: 'api' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['web'] }] };
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'istio-system' } },
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'prod', labels: { 'istio-injection': 'enabled', 'istio.io/rev': 'canary' }, annotations: { owner: 'team' } },
    },
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'amb', labels: { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'wp', 'istio.io/use-waypoint-namespace': 'amb' } },
    },
    {
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name: 'default', namespace: 'istio-system' },
      spec: { mtls: { mode: 'STRICT' } },
    },
    {
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: {
        name: 'api',
        namespace: 'prod',
        annotations: { 'mtls.exception/owner': 'team', 'mtls.exception/reason': 'legacy probe', 'mtls.exception/review-by': '2999-01-01' },
      },
      spec: { selector: { matchLabels: { app: 'api' } }, mtls: { mode: 'STRICT' }, portLevelMtls: { 8080: { mode: 'PERMISSIVE' }, 9090: { mode: 'DISABLE' } } },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'api', namespace: 'prod' },
      spec: {
        host: 'api.prod.svc.cluster.local',
        exportTo: ['.'],
        workloadSelector: { matchLabels: { app: 'web' } },
        trafficPolicy: {
          tls: { mode: 'ISTIO_MUTUAL', sni: 'api', subjectAltNames: ['spiffe://cluster.local/ns/prod/sa/api'] },
          loadBalancer: { consistentHash: { httpCookie: { name: 'c', ttl: '10s', attributes: [{ name: 'a', value: 'b' }] } } },
          connectionPool: { tcp: { maxConnections: 10, connectTimeout: '1s' }, http: { http1MaxPendingRequests: 5 } },
          outlierDetection: { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 50 },
          portLevelSettings: [{ port: { number: 80 }, tls: { mode: 'DISABLE' } }, { port: { number: 90 }, tls: { mode: 'MUTUAL', clientCertificate: '/c', privateKey: '/k' } }],
          tunnel: { protocol: 'CONNECT', targetHost: 'h', targetPort: 8080 },
        },
        subsets: [{ name: 'v1', labels: { version: 'v1' }, trafficPolicy: { tls: { mode: 'SIMPLE', sni: 'x' }, proxyProtocol: { version: 'V1' }, portLevelSettings: [{ port: { number: 80 }, tls: { mode: 'ISTIO_MUTUAL' } }] } }],
      },
    },
    {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'allow', namespace: 'prod' },
      spec: {
        selector: { matchLabels: { app: 'api' } },
        action: 'ALLOW',
        rules: [{
          from: [{
            source: {
              principals: ['cluster.local/ns/web/sa/web'],
              notPrincipals: ['*/ns/x/*'],
              namespaces: ['web'],
              notNamespaces: ['x'],
              requestPrincipals: ['iss/sub'],
              ipBlocks: ['10.0.0.0/8'],
              remoteIpBlocks: ['1.2.3.4'],
            },
          }, { source: { serviceAccounts: ['web/web'], notServiceAccounts: ['web/admin'] } }],
          to: [{ operation: { ports: ['8080'], notPorts: ['1'], methods: ['GET'], paths: ['/a'], hosts: ['a.com'] } }],
          when: [{ key: 'source.namespace', values: ['web'] }, { key: 'request.headers[x-a]', notValues: ['b'] }, { key: 'source.principal', values: ['cluster.local/ns/web/sa/web'] }],
        }],
      },
    },
    {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'waypoint', namespace: 'amb' },
      spec: {
        targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'wp' }],
        action: 'DENY',
        rules: [{ to: [{ operation: { paths: ['/admin'] } }] }],
      },
    },
    {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'ext', namespace: 'prod' },
      spec: { targetRef: { kind: 'Service', name: 'api' }, action: 'CUSTOM', provider: { name: 'ext' }, rules: [{}] },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'Sidecar',
      metadata: { name: 'api', namespace: 'prod' },
      spec: {
        workloadSelector: { labels: { app: 'api' } },
        ingress: [{ port: { number: 8080, protocol: 'HTTP', name: 'http' }, defaultEndpoint: '127.0.0.1:8080', tls: { mode: 'SIMPLE', credentialName: 'c' } }],
        egress: [{ port: { number: 80, protocol: 'HTTP', name: 'h' }, hosts: ['./*', 'istio-system/*'] }],
        outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' },
      },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'api', namespace: 'prod' },
      spec: {
        hosts: ['api', 'api.prod.svc.cluster.local'],
        gateways: ['mesh', 'istio-system/gw'],
        exportTo: ['*'],
        http: [{
          match: [{ uri: { prefix: '/' }, port: 80, sourceLabels: { app: 'web' }, gateways: ['mesh'] }],
          route: [{ destination: { host: 'api', subset: 'v1', port: { number: 80 } }, weight: 90 }, { destination: { host: 'api.prod.svc.cluster.local' }, weight: 10 }],
        }],
        tls: [{ match: [{ sniHosts: ['api'], port: 443 }], route: [{ destination: { host: 'api', port: { number: 443 } } }] }],
        tcp: [{ match: [{ port: 90, destinationSubnets: ['10.0.0.0/8'] }], route: [{ destination: { host: 'api', port: { number: 90 } } }] }],
      },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata: { name: 'db', namespace: 'prod' },
      spec: {
        hosts: ['db.example.com'],
        addresses: ['10.1.0.0/16'],
        ports: [{ number: 5432, protocol: 'TCP', name: 'pg', targetPort: 5433 }],
        location: 'MESH_INTERNAL',
        resolution: 'STATIC',
        exportTo: ['.'],
        subjectAltNames: ['spiffe://cluster.local/ns/prod/sa/db'],
        endpoints: [{ address: '10.1.0.1', ports: { pg: 5433 }, labels: { app: 'db' }, serviceAccount: 'db', network: 'n1', locality: 'r/z', weight: 1 }],
      },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata: { name: 'vm', namespace: 'prod' },
      spec: { hosts: ['vm.prod.svc'], ports: [{ number: 80, name: 'http' }], location: 'MESH_INTERNAL', resolution: 'STATIC', workloadSelector: { labels: { app: 'vm' } } },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'WorkloadEntry',
      metadata: { name: 'vm', namespace: 'prod', labels: { app: 'vm' }, annotations: { 'security.istio.io/tlsMode': 'istio' } },
      spec: { address: '10.2.0.1', labels: { app: 'vm', version: 'v1' }, ports: { http: 8080 }, serviceAccount: 'vm', network: 'n1', locality: 'r/z', weight: 2 },
    },
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'wp', namespace: 'amb', labels: { 'istio.io/waypoint-for': 'all' } },
      spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE', allowedRoutes: { namespaces: { from: 'Same' } } }] },
    },
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'GatewayClass',
      metadata: { name: 'istio-waypoint' },
      spec: { controllerName: 'istio.io/mesh-controller' },
    },
    {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: 'mtls', namespace: 'monitoring', labels: { role: 'alert-rules' } },
      spec: {
        groups: [{
          name: 'mtls',
          interval: '1m',
          query_offset: '1m',
          limit: 10,
          partial_response_strategy: 'warn',
          labels: { team: 'mesh' },
          rules: [
            {
              alert: 'PlaintextTraffic',
              expr: 'sum by (destination_workload) (rate(istio_requests_total{connection_security_policy="none"}[5m])) > 0',
              for: '5m',
              keep_firing_for: '1m',
              labels: { severity: 'warning' },
              annotations: { summary: '{{ $labels.destination_workload }} has {{ $value }}' },
            },
            { record: 'mesh:plaintext:rate5m', expr: 'sum(rate(istio_requests_total[5m]))', labels: { scope: 'mesh' } },
          ],
        }],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'api', namespace: 'prod', labels: { 'istio.io/use-waypoint': 'none' } },
      spec: {
        type: 'ClusterIP',
        clusterIP: '10.96.0.10',
        selector: { app: 'api' },
        ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP', appProtocol: 'http' }, { name: 'grpc', port: 90, targetPort: 9090 }],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'amb', labels: { 'istio.io/use-waypoint': 'wp' } },
      spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'api', namespace: 'prod', labels: { app: 'api' }, annotations: { 'mtls.exception/owner': 'team' } },
      spec: { replicas: 2, selector, template: pod },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'amb', labels: { 'istio.io/use-waypoint': 'wp' } },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { 'app': 'web', 'istio.io/use-waypoint': 'wp' } }, spec: { containers: [{ name: 'c', ports: [{ containerPort: 8080 }] }] } },
      },
    },
    { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'prod' }, spec: { serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: pod } },
    { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: 'prod' }, spec: { selector: { matchLabels: { app: 'agent' } }, template: pod } },
    {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'api-1', namespace: 'prod', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'api', uid: 'u', controller: true }] },
      spec: { selector: { matchLabels: { app: 'api' } }, template: pod },
    },
    { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'job', namespace: 'prod' }, spec: { template: pod } },
    { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'cron', namespace: 'prod' }, spec: { schedule: '* * * * *', jobTemplate: { spec: { template: pod } } } },
    { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'rc', namespace: 'prod' }, spec: { selector: { app: 'rc' }, template: pod } },
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'prod', ...pod.metadata }, spec: pod.spec },
  ];
}
