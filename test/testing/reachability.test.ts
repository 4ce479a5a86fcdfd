/**
 * The reachability the topology predicts, from plans alone (no kernel), and the matrix text.
 */
import { App, IpAddress, Lab, NetNamespace, VethLink } from '../../constructs/index.js';
import type { PlanDocument } from '../../src/plan/types.js';
import { synthesize } from '../../src/synth/synth.js';
import { predictReachability, renderMatrix, type PairPrediction } from '../../src/testing/index.js';
import { Topology } from '../../src/testing/reachability.js';
import { bridged, redBlue, routed } from './labs.js';

function planOf(build: (lab: Lab) => void, prefix = 'p'): PlanDocument {
  const app = new App({ outdir: '/nonexistent' });
  build(new Lab(app, 'lab', { prefix }));
  return synthesize(app)[0]!;
}

/** `from>to` of every pair with the given expectation. */
const pairsWith = (preds: PairPrediction[], expect: string) => preds.filter((p) => p.expect === expect).map((p) => `${p.from}>${p.to}`).sort();

describe('reachability predicted from the topology', () => {
  it('has red and blue on one cable reach each other, both ways', () => {
    const preds = predictReachability(planOf(redBlue));
    expect(preds.map((p) => [p.from, p.to, p.expect, p.address])).toEqual([
      ['blue', 'red', 'reachable', '10.10.0.1'],
      ['red', 'blue', 'reachable', '10.10.0.2'],
    ]);
    expect(preds[0]!.reason).toBe('same segment: blue -> red');
  });

  it('has every namespace on one bridge reach every other one (the twelve ordered pairs of four)', () => {
    const preds = predictReachability(planOf(bridged));
    expect(preds).toHaveLength(12);
    expect(preds.every((p) => p.expect === 'reachable')).toBe(true);
  });

  it('routes through a forwarding namespace, and stops at one that does not forward', () => {
    const preds = predictReachability(planOf(routed));
    expect(pairsWith(preds, 'reachable')).toEqual(['a>b', 'a>r', 'b>a', 'b>c', 'b>r', 'c>b', 'r>a', 'r>b']);
    expect(pairsWith(preds, 'unknown')).toEqual([]);
    const why = (from: string, to: string) => preds.find((p) => p.from === from && p.to === to)!.reason;
    expect(why('a', 'b')).toBe('routed: a -> r -> b');
    expect(why('a', 'c')).toBe('r has no route to 10.3.0.2');
    expect(why('c', 'a')).toBe('b does not forward IPv4 (net.ipv4.ip_forward is not "1" in its sysctls)');
    expect(why('a', 'iso')).toBe('r has no route to 10.9.9.9');
    expect(why('iso', 'a')).toBe('iso has no route to 10.1.0.1');
  });

  it('needs the way back too: without forwarding in r, a reaches r but not b', () => {
    const preds = predictReachability(planOf((lab) => routed(lab, { rForwards: false })));
    expect(pairsWith(preds, 'reachable')).toEqual(['a>r', 'b>c', 'b>r', 'c>b', 'r>a', 'r>b']);
  });

  it('predicts single addresses, IPv4 or IPv6, with or without a prefix length', () => {
    const plan = planOf(routed);
    const t = new Topology(plan);
    expect(t.predict('pa', 'fd01::fe').expect).toBe('reachable');
    expect(t.predict('pa', '10.2.0.1/24').expect).toBe('reachable');
    expect(t.predict('pa', '10.1.0.1').reason).toBe("10.1.0.1 is a's own address");
    expect(t.predict('pa', 'not-an-ip').expect).toBe('unknown');
  });

  it('treats a link that is declared down as no link', () => {
    const preds = predictReachability(planOf((lab) => {
      const red = new NetNamespace(lab, 'red');
      const blue = new NetNamespace(lab, 'blue');
      const cable = new VethLink(lab, 'cable', { a: { namespace: red }, b: { namespace: blue }, up: false });
      new IpAddress(lab, 'red-ip', { device: cable.a, address: '10.10.0.1/24' });
      new IpAddress(lab, 'blue-ip', { device: cable.b, address: '10.10.0.2/24' });
    }));
    expect(preds.map((p) => [p.from, p.to, p.expect, p.reason])).toEqual([
      ['blue', 'red', 'unreachable', 'blue has no route to 10.10.0.1'],
      ['red', 'blue', 'unreachable', 'red has no route to 10.10.0.2'],
    ]);
  });

  it('does not guess about the host as a transit hop: such a destination is unknown', () => {
    const t = new Topology(planOf(bridged));
    expect(t.predict('pred', '192.0.2.1')).toEqual({ expect: 'unknown', reason: '192.0.2.1 is beyond the host, whose forwarding is not part of the lab' });
    expect(t.predict('pred', '10.20.0.254').expect).toBe('reachable');
  });
});

describe('the reachability matrix text', () => {
  const base = { addresses: ['10.0.0.2'], address: '10.0.0.2', reason: 'same segment: a -> b' };

  it('shows yes/no where the kernel agreed, and lists each mismatch with what was pinged and why it was expected', () => {
    const text = renderMatrix([
      { ...base, from: 'a', to: 'b', expect: 'reachable', replied: false, ok: false },
      { ...base, from: 'b', to: 'a', address: '10.0.0.1', addresses: ['10.0.0.1'], expect: 'reachable', replied: true, ok: true },
      { ...base, from: 'a', to: 'c', addresses: ['10.0.1.3'], address: '10.0.1.3', expect: 'unreachable', reason: 'a has no route to 10.0.1.3', replied: false, ok: true },
    ], ['a', 'b', 'c']);
    expect(text).toBe([
      'from \\ to  a     b     c',
      'a          -     NO!   no',
      'b          yes   -     -',
      'c          -     -     -',
      '',
      'mismatches (kernel vs topology):',
      '  a should reach b (pinged 10.0.0.2), but got no reply; topology: same segment: a -> b',
    ].join('\n'));
  });
});
