import { graphNodeId, renderGraph } from '../../src/engine/graph.js';
import { loadPlan } from '../../src/plan/validate.js';
import { redBluePlan } from '../support/plans.js';

describe('graph', () => {
  const plan = redBluePlan('p-');

  it('draws each namespace and the host as a box with its devices and addresses (mermaid)', () => {
    const g = renderGraph(plan, 'mermaid');
    expect(g.startsWith('graph LR\n')).toBe(true);
    expect(g).toContain('subgraph host["host"]');
    expect(g).toContain('subgraph ns_p_2d_red["namespace p-red<br/>default via 10.10.0.2"]');
    expect(g).toContain('ns_p_2d_red__veth_2d_red["veth-red<br/>10.10.0.1/24"]');
    expect(g).toContain('host__p_2d_br0["p-br0<br/>bridge<br/>10.20.0.254/24"]');
    expect(g).toContain('ns_p_2d_red__veth_2d_red ---|cable| ns_p_2d_blue__veth_2d_blue');
    expect(g).toContain('host__p_2d_up1 -.- host__p_2d_br0');
    expect(g.match(/^\s*subgraph /gmu)).toHaveLength(g.match(/^\s*end$/gmu)!.length);
  });

  it('draws the same topology as Graphviz clusters (dot)', () => {
    const g = renderGraph(plan, 'dot');
    expect(g).toMatch(/^graph "rb" \{/u);
    expect(g).toContain('subgraph cluster_ns_p_2d_blue {');
    expect(g).toContain('ns_p_2d_red__veth_2d_red -- ns_p_2d_blue__veth_2d_blue [label="cable"];');
    expect(g).toContain('host__p_2d_up1 -- host__p_2d_br0 [label="port", style=dashed];');
    expect(g.trim().endsWith('}')).toBe(true);
  });
});

describe('graph ids', () => {
  // GIVEN names that differ only in "-", "_" and ".", in namespaces that do too
  const resources: Record<string, unknown> = {};
  const names = ['x-y', 'x_y', 'x.y'];
  const devs = ['e-0', 'e_0', 'e.0'];
  for (const ns of names) {
    resources[`ns ${ns}`] = { type: 'namespace', name: ns, loopbackUp: true, sysctls: {}, path: `l/${ns}` };
  }
  devs.forEach((d, i) => {
    resources[`link ${d}`] = { type: 'veth', up: true, path: `l/link${i}`, a: { namespace: names[i], name: d }, b: { namespace: names[(i + 1) % 3], name: d } };
  });
  const plan = loadPlan({ version: 1, lab: 'l', prefix: '', resources });

  it('keeps every namespace and device apart: one subgraph per namespace, one node per device (mermaid)', () => {
    const g = renderGraph(plan, 'mermaid');
    const boxes = [...g.matchAll(/^ {2}subgraph (\S+)\[/gmu)].map((m) => m[1]);
    const nodes = [...g.matchAll(/^ {4}(\S+)\[/gmu)].map((m) => m[1]);
    expect(new Set(boxes).size).toBe(3);
    expect(new Set(nodes).size).toBe(6);
    for (const id of [...boxes, ...nodes]) expect(id).toMatch(/^[A-Za-z][A-Za-z0-9_]*$/u);
  });

  it('keeps them apart in dot too', () => {
    const g = renderGraph(plan, 'dot');
    const boxes = [...g.matchAll(/^ {2}subgraph (\S+) \{/gmu)].map((m) => m[1]);
    const nodes = [...g.matchAll(/^ {4}(\S+) \[label=/gmu)].map((m) => m[1]);
    expect(new Set(boxes).size).toBe(3);
    expect(new Set(nodes).size).toBe(6);
  });

  it('encodes names injectively: no two (location, device) pairs share an id', () => {
    const chars = ['a', '_', '-', '.', '5', 'f', '_5f_', '__'];
    const words = chars.flatMap((x) => chars.map((y) => `${x}${y}`));
    const ids = new Map<string, string>();
    for (const ns of words.slice(0, 20)) {
      for (const dev of words) {
        const id = graphNodeId(ns, dev);
        expect(ids.get(id) ?? `${ns} ${dev}`).toBe(`${ns} ${dev}`);
        ids.set(id, `${ns} ${dev}`);
      }
    }
    expect(graphNodeId('', 'br0')).toBe('host__br0');
  });
});
