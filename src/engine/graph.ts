/**
 * A lab's topology as a diagram (mermaid or Graphviz dot): namespaces (and the host) as boxes,
 * devices inside them with their addresses, veth links as edges, bridge ports joined to bridges,
 * vxlan devices labelled with their VNI and remote end.
 * Pure: plan in, text out.
 */
import { HOST, loc, type Location, type PlanDocument, type Resource } from '../plan/types.js';

export type GraphFormat = 'mermaid' | 'dot';

interface Box {
  label: string;
  devices: Map<string, string[]>;
}

/**
 * A name as an id mermaid and dot accept unquoted, injectively: letters and digits stay, every
 * other character (`_` included) becomes `_<hex code point>_`, so `x-y`, `x_y` and `x.y` stay
 * apart (`x_2d_y`, `x_5f_y`, `x_2e_y`). An encoded name never has `_` followed by `_` except at
 * the end of an escape, and an escape starts with a hex digit, so `__` between two encoded names
 * parses one way only.
 */
const encode = (name: string) => name.replace(/[^A-Za-z0-9]/gu, (c) => `_${c.codePointAt(0)!.toString(16)}_`);
const boxId = (l: Location) => (l === HOST ? 'host' : `ns_${encode(l)}`);
const nodeId = (l: Location, dev: string) => `${boxId(l)}__${encode(dev)}`;

/** The id of device `dev` in location `l` (`''`: the host) in both graph formats. */
export const graphNodeId = nodeId;

function collect(plan: PlanDocument) {
  const boxes = new Map<Location, Box>();
  const box = (l: Location) => boxes.get(l) ?? boxes.set(l, { label: l === HOST ? 'host' : `namespace ${l}`, devices: new Map() }).get(l)!;
  const dev = (l: Location, name: string) => box(l).devices.get(name) ?? box(l).devices.set(name, []).get(name)!;
  const edges: Array<{ from: string; to: string; label: string; kind: 'veth' | 'port' }> = [];
  const routes = new Map<Location, string[]>();
  const sorted: Array<[string, Resource]> = Object.entries(plan.resources).sort(([a], [b]) => a.localeCompare(b));
  for (const [, r] of sorted) if (r.type === 'namespace') box(r.name);
  for (const [, r] of sorted) if (r.type === 'bridge') dev(loc(r.namespace), r.name).push('bridge');
  // A vxlan's peer is on another machine: the device shows its tunnel instead of an edge.
  for (const [, r] of sorted) if (r.type === 'vxlan') dev(r.namespace, r.name).push(`vxlan ${r.vni} to ${r.remote}`);
  for (const [id, r] of sorted) {
    if (r.type === 'veth') {
      for (const e of [r.a, r.b]) {
        dev(loc(e.namespace), e.name);
        if (e.master) edges.push({ from: nodeId(loc(e.namespace), e.name), to: nodeId(loc(e.namespace), e.master), label: 'port', kind: 'port' });
      }
      edges.push({ from: nodeId(loc(r.a.namespace), r.a.name), to: nodeId(loc(r.b.namespace), r.b.name), label: id, kind: 'veth' });
    }
  }
  for (const [, r] of sorted) {
    if (r.type === 'address') dev(loc(r.namespace), r.device).push(r.address);
    if (r.type === 'route') {
      const l = loc(r.namespace);
      const text = `${r.destination}${r.via ? ` via ${r.via}` : ''}${r.device ? ` dev ${r.device}` : ''}`;
      routes.set(l, [...(routes.get(l) ?? []), text]);
    }
  }
  for (const [l, list] of routes) box(l).label += list.map((t) => `\n${t}`).join('');
  return { boxes, edges };
}

const nodeLabel = (name: string, extras: string[]) => [name, ...extras].join('\n');

/** Equivalent to what `nslab graph FILE --format mermaid|dot` prints. */
export function renderGraph(plan: PlanDocument, format: GraphFormat = 'mermaid'): string {
  const { boxes, edges } = collect(plan);
  const order = [...boxes.keys()].sort((a, b) => (a === HOST ? -1 : b === HOST ? 1 : a.localeCompare(b)));
  if (format === 'dot') {
    const q = (s: string) => `"${s.replace(/["\\]/gu, '\\$&').replace(/\n/gu, '\\n')}"`;
    const lines = [`graph ${q(plan.lab)} {`, '  rankdir=LR;', '  node [shape=box];'];
    for (const l of order) {
      const b = boxes.get(l)!;
      lines.push(`  subgraph cluster_${boxId(l)} {`, `    label=${q(b.label)};`);
      for (const [name, extras] of b.devices) lines.push(`    ${nodeId(l, name)} [label=${q(nodeLabel(name, extras))}];`);
      lines.push('  }');
    }
    for (const e of edges) lines.push(`  ${e.from} -- ${e.to} [label=${q(e.label)}${e.kind === 'port' ? ', style=dashed' : ''}];`);
    lines.push('}');
    return `${lines.join('\n')}\n`;
  }
  const m = (s: string) => `"${s.replace(/"/gu, '#quot;').replace(/\n/gu, '<br/>')}"`;
  const lines = ['graph LR'];
  for (const l of order) {
    const b = boxes.get(l)!;
    lines.push(`  subgraph ${boxId(l)}[${m(b.label)}]`);
    for (const [name, extras] of b.devices) lines.push(`    ${nodeId(l, name)}[${m(nodeLabel(name, extras))}]`);
    lines.push('  end');
  }
  for (const e of edges) lines.push(e.kind === 'port' ? `  ${e.from} -.- ${e.to}` : `  ${e.from} ---|${e.label}| ${e.to}`);
  return `${lines.join('\n')}\n`;
}
