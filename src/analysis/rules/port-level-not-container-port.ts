import { Finding, findingOf } from '../../model/finding';
import { ServiceInfo, Workload } from '../../model/inventory';
import { RuleInfo } from '../../model/rule-info';
import { AnalysisContext, describeWorkload } from '../context';
import { AnalysisRule, listSome } from '../rule';

export const PORT_LEVEL_NOT_CONTAINER_PORT: RuleInfo = {
  code: 'IMA006',
  category: 'port-level-not-container-port',
  severity: 'warning',
  title: 'Port-level mode on a port the selected workloads do not declare',
  explanation: 'portLevelMtls keys are container (target) ports, not Service ports. A key that no selected workload declares '
    + 'never matches inbound traffic; the usual cause is writing the Service port. Only workloads that declare container '
    + 'ports are judged, since undeclared ports can still listen. When the key is the port of a Service selecting the '
    + 'workloads that sends it to another container port, the finding is an error: the mode (often an exception) applies '
    + 'to no traffic at all, and the container port keeps the workload\'s mode. Otherwise it is a warning.',
  source: 'PeerAuthentication reference (portLevelMtls: "port number of the workload")',
};

const byNumber = (a: number, b: number) => a - b;

export const portLevelNotContainerPort: AnalysisRule = {
  info: PORT_LEVEL_NOT_CONTAINER_PORT,
  check(ctx: AnalysisContext): Finding[] {
    const m = ctx.model;
    const out: Finding[] = [];
    for (const p of m.peerAuthentications) {
      if (p.level !== 'workload' || p.portLevel.length === 0) continue;
      const workloads = m.workloadsMatching(p.namespace, p.selector!).filter((w) => w.ports.length > 0);
      if (workloads.length === 0) continue;
      // What every port-level entry is compared with, worked out once per policy: it may list many ports, over many workloads.
      const declared = [...new Set(workloads.flatMap((w) => w.ports.map((cp) => cp.port)))].sort(byNumber);
      const declaredSet = new Set(declared);
      let selecting: { w: Workload; services: readonly ServiceInfo[] }[] | undefined;
      let described: string | undefined;
      for (const pl of p.portLevel) {
        if (declaredSet.has(pl.port)) continue;
        selecting ??= workloads.map((w) => ({ w, services: m.servicesSelecting(w) }));
        // The usual mistake: the Service port instead of its target port. Service → the container ports it sends the key to.
        const targetsBy = new Map<string, Set<number>>();
        for (const { w, services } of selecting) {
          for (const s of services) {
            for (const sp of s.ports) {
              if (sp.port !== pl.port) continue;
              const target = typeof sp.targetPort === 'number' ? sp.targetPort : w.ports.find((cp) => cp.name === sp.targetPort)?.port;
              if (target === undefined || target === pl.port) continue;
              const service = `Service ${s.namespace}/${s.name}`;
              targetsBy.set(service, (targetsBy.get(service) ?? new Set()).add(target));
            }
          }
        }
        const path = pl.path.replace(/\/mode$/, '');
        const subject = `PeerAuthentication ${p.namespace}/${p.name} sets port ${pl.port} to ${pl.mode}`;
        if (targetsBy.size > 0) {
          const sends = [...targetsBy.keys()].sort().map((s) => `${s} sends it to container port ${[...targetsBy.get(s)!].sort(byNumber).join(' or ')}`);
          const targets = [...new Set([...targetsBy.values()].flatMap((t) => [...t]))].sort(byNumber);
          out.push(findingOf(PORT_LEVEL_NOT_CONTAINER_PORT, {
            resource: p.ref,
            path,
            severity: 'error',
            message: `${subject}, but ${pl.port} is a Service port: ${listSome(sends)}. portLevelMtls keys are container ports, so this key `
              + `matches no traffic and ${targets.length === 1 ? `container port ${targets[0]} keeps` : `container ports ${targets.join(' and ')} keep`} the workload's mode`,
            fix: `write the target port ${targets.join(' or ')} instead of ${pl.port} as the portLevelMtls key`,
          }));
          continue;
        }
        described ??= listSome(workloads.map(describeWorkload));
        out.push(findingOf(PORT_LEVEL_NOT_CONTAINER_PORT, {
          resource: p.ref,
          path,
          message: `${subject}, but ${described} declare only container port(s) ${declared.join(', ')}`,
          fix: 'use a container port the selected workloads listen on',
        }));
      }
    }
    return out;
  },
};
