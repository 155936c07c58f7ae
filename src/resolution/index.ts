export * from './server-mode';
export * from './sidecar';
export * from './destination-rule-lookup';
export * from './client-tls';
export * from './connection';
export * from './explain';
export * from './dataplane';
