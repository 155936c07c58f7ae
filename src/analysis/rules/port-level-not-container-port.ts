import { Finding, findingOf } from '../../model/finding';
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
    + 'ports are judged, since undeclared ports can still listen.',
  source: 'PeerAuthentication reference (portLevelMtls: "port number of the workload")',
};

export const portLevelNotContainerPort: AnalysisRule = {
  info: PORT_LEVEL_NOT_CONTAINER_PORT,
  check(ctx: AnalysisContext): Finding[] {
    const m = ctx.model;
    const out: Finding[] = [];
    for (const p of m.peerAuthentications) {
      if (p.level !== 'workload' || p.portLevel.length === 0) continue;
      const workloads = m.workloadsMatching(p.namespace, p.selector!).filter((w) => w.ports.length > 0);
      if (workloads.length === 0) continue;
      for (const pl of p.portLevel) {
        if (workloads.some((w) => w.ports.some((cp) => cp.port === pl.port))) continue;
        // The usual mistake: the Service port instead of its target port.
        const mappings: string[] = [];
        for (const w of workloads) {
          for (const s of m.servicesSelecting(w)) {
            for (const sp of s.ports) {
              if (sp.port !== pl.port) continue;
              const target = typeof sp.targetPort === 'number' ? sp.targetPort : w.ports.find((cp) => cp.name === sp.targetPort)?.port;
              if (target !== undefined && target !== pl.port) mappings.push(`Service ${s.namespace}/${s.name} maps ${pl.port}→${target}`);
            }
          }
        }
        const uniq = [...new Set(mappings)];
        const declared = [...new Set(workloads.flatMap((w) => w.ports.map((cp) => cp.port)))].sort((a, b) => a - b);
        out.push(findingOf(PORT_LEVEL_NOT_CONTAINER_PORT, {
          resource: p.ref,
          path: pl.path.replace(/\/mode$/, ''),
          message: `PeerAuthentication ${p.namespace}/${p.name} sets port ${pl.port} to ${pl.mode}, but ${listSome(workloads.map(describeWorkload))} `
            + `declare only container port(s) ${declared.join(', ')}${uniq.length ? `; ${listSome(uniq)}, and port-level keys are target ports` : ''}`,
          fix: uniq.length ? 'use the container (target) port as the portLevelMtls key' : 'use a container port the selected workloads listen on',
        }));
      }
    }
    return out;
  },
};
