export * from './mtls-mode';
export * from './identity';
export * from './workload-selector';
export * from './port-mtls';
export * from './sidecar-injection';
export * from './exception-annotations';
export * from './threshold';
export * from './access-action';
