import { fail, show } from './checks';
import { MtlsMode, MtlsModeName, checkModeIn } from './mtls-mode';

/**
 * Port-level mTLS modes, keyed by **container (target) port**: the port the
 * application listens on inside the pod, not the Service port. Istio applies
 * `portLevelMtls` on the workload's inbound listener, after the Service has
 * translated its port to the target port.
 *
 * Example: `{ 8080: MtlsMode.DISABLE, 50051: MtlsMode.STRICT }`.
 */
export type PortLevelMtls = { readonly [containerPort: number]: MtlsMode };

/**
 * Checks a port-level map and renders it with ports in ascending order.
 * @internal
 */
export function renderPortLevelMtls(
  owner: string,
  prop: string,
  ports: PortLevelMtls,
  allowed: readonly MtlsMode[] = MtlsMode.ALL,
  hint?: string,
): Record<string, { mode: MtlsModeName }> {
  if (typeof ports !== 'object' || ports === null || Array.isArray(ports)) {
    fail(owner, `'${prop}' must be a map from container port to MtlsMode, got ${show(ports)}`);
  }
  const entries = Object.entries(ports);
  if (entries.length === 0) fail(owner, `'${prop}' must list at least one container port, got {}`);
  const rendered: [number, MtlsModeName][] = entries.map(([port, mode]) => {
    const n = /^[0-9]+$/.test(port) ? Number(port) : NaN;
    if (!Number.isInteger(n) || n < 1 || n > 65535) {
      fail(owner, `'${prop}' keys must be container ports (integers 1-65535), got ${show(port)}`);
    }
    checkModeIn(owner, `${prop}[${n}]`, mode, allowed, hint);
    return [n, mode._toKube()];
  });
  rendered.sort((a, b) => a[0] - b[0]);
  const out: Record<string, { mode: MtlsModeName }> = {};
  for (const [port, mode] of rendered) out[String(port)] = { mode };
  return out;
}
