export * from './model/manifest';
export * from './model/finding';
export * from './vocabulary/kube-names';
