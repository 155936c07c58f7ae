import { Finding, findingOf, pointer } from '../../model/finding';
import { ResourceRef } from '../../model/manifest';
import { RuleInfo } from '../../model/rule-info';
import { AnalysisRule, listSome } from '../rule';

export const EXPORT_TO_UNKNOWN_NAMESPACE: RuleInfo = {
  code: 'IMA038',
  category: 'export-to-unknown-namespace',
  severity: 'warning',
  title: '`exportTo` names a namespace that is not in the input',
  explanation: 'A DestinationRule, VirtualService or ServiceEntry is visible only in the namespaces its `exportTo` names '
    + '(`.` is its own, `*` every namespace). istiod accepts any name there, since the namespace may be created later, '
    + 'so a misspelt namespace silently leaves the resource invisible where it was meant to apply: the clients of the '
    + 'intended namespace fall back to another rule, route or host, or to none. The rule reports each entry that names '
    + 'no namespace of the input (a Namespace object, or a namespace some object of the input lives in), only when the '
    + 'input holds Namespace objects. Kiali\'s KIA0005 reports the same as an error and also flags `~`, which Istio '
    + 'accepts on ServiceEntries (visible nowhere); here it is a warning, since istiod takes the name. The Service '
    + 'annotation `networking.istio.io/exportTo` is not judged, as in Kiali.',
  source: 'pilot/pkg/model/push_context.go (exportTo of DestinationRules, VirtualServices and ServiceEntries)',
  upstream: 'Istio 1.30.3; Kiali v2.30.0 KIA0005',
};

/** The kinds with exportTo, each with its entries as written (`.` may already stand as the own namespace: both are known). */
interface Exported {
  readonly ref: ResourceRef;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly exportTo: readonly string[];
}

export const exportToUnknownNamespace: AnalysisRule = {
  info: EXPORT_TO_UNKNOWN_NAMESPACE,
  check(ctx): Finding[] {
    const m = ctx.model;
    if (m.namespaces.length === 0) return [];
    const known = new Set(m.namespaceNames);
    const resources: Exported[] = [
      ...m.destinationRules.map((d) => ({ ref: d.ref, kind: 'DestinationRule', namespace: d.namespace, name: d.name, exportTo: d.traffic.exportTo })),
      ...m.virtualServices.map((v) => ({ ref: v.ref, kind: 'VirtualService', namespace: v.namespace, name: v.name, exportTo: v.exportTo })),
      ...m.serviceEntries.map((s) => ({ ref: s.ref, kind: 'ServiceEntry', namespace: s.namespace, name: s.name, exportTo: s.exportTo })),
    ];
    const out: Finding[] = [];
    const names = [...known].sort();
    for (const r of resources) {
      r.exportTo.forEach((entry, i) => {
        if (entry === '.' || entry === '*' || entry === '~' || known.has(entry)) return;
        out.push(findingOf(EXPORT_TO_UNKNOWN_NAMESPACE, {
          resource: r.ref,
          path: pointer('spec', 'exportTo', i),
          message: `${r.kind} ${r.namespace}/${r.name} is exported to namespace "${entry}", which is not in the input (namespaces: `
            + `${listSome(names, 5)}): this entry makes it visible nowhere until such a namespace exists`,
          fix: `correct the namespace name in exportTo, or add Namespace ${entry} to the input`,
        }));
      });
    }
    return out;
  },
};
