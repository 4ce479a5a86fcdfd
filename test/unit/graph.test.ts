import { renderGraph } from '../../src/graph.js';
import { redBluePlan } from '../support/plans.js';

describe('graph', () => {
  const plan = redBluePlan('p-');

  it('draws each namespace and the host as a box with its devices and addresses (mermaid)', () => {
    const g = renderGraph(plan, 'mermaid');
    expect(g.startsWith('graph LR\n')).toBe(true);
    expect(g).toContain('subgraph host["host"]');
    expect(g).toContain('subgraph ns_p_red["namespace p-red<br/>default via 10.10.0.2"]');
    expect(g).toContain('ns_p_red__veth_red["veth-red<br/>10.10.0.1/24"]');
    expect(g).toContain('host__p_br0["p-br0<br/>bridge<br/>10.20.0.254/24"]');
    expect(g).toContain('ns_p_red__veth_red ---|cable| ns_p_blue__veth_blue');
    expect(g).toContain('host__p_up1 -.- host__p_br0');
    expect(g.match(/^\s*subgraph /gmu)).toHaveLength(g.match(/^\s*end$/gmu)!.length);
  });

  it('draws the same topology as Graphviz clusters (dot)', () => {
    const g = renderGraph(plan, 'dot');
    expect(g).toMatch(/^graph "rb" \{/u);
    expect(g).toContain('subgraph cluster_ns_p_blue {');
    expect(g).toContain('ns_p_red__veth_red -- ns_p_blue__veth_blue [label="cable"];');
    expect(g).toContain('host__p_up1 -- host__p_br0 [label="port", style=dashed];');
    expect(g.trim().endsWith('}')).toBe(true);
  });
});
