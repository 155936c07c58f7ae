/**
 * The `istio-mtls explain --format json` contract, which the other explain
 * formats render too. Fields are only ever added.
 */
export interface ExplainedRef {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

export type ExplainedMode = 'STRICT' | 'PERMISSIVE' | 'DISABLE' | 'ambiguous';

export interface ExplainedPort {
  readonly port: number;
  readonly mode: ExplainedMode;
  readonly decidedBy: ExplainedRef | null;
}

export interface ExplainedWorkload {
  readonly namespace: string;
  readonly name: string;
  readonly kind: string;
  readonly sidecar: boolean;
  readonly mode: ExplainedMode;
  readonly decidedBy: ExplainedRef | null;
  readonly ports: readonly ExplainedPort[];
  /** Set when a workload or port-level policy weakens mTLS as a documented exception. */
  readonly exception?: boolean;
}

export interface ExplainedConnection {
  readonly from: { readonly namespace: string; readonly name: string };
  readonly to: { readonly namespace: string; readonly name: string; readonly service: string; readonly port: number };
  readonly tls: 'mtls' | 'plaintext' | 'tls-origination';
  readonly outcome: 'ok' | 'fails';
  readonly reason: string;
}

export interface Explanation {
  readonly workloads: readonly ExplainedWorkload[];
  readonly connections?: readonly ExplainedConnection[];
}
