export * from './mesh-strict-mtls';
export * from './namespace-mtls';
export * from './client-tls';
