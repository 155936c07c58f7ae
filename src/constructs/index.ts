export * from './mesh-strict-mtls';
export * from './namespace-mtls';
export * from './workload-mtls';
export * from './workload-exception';
export * from './client-tls';
export * from './external-service-tls';
export * from './service-access';
export * from './mtls-alerts';
