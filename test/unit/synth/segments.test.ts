import { App, Bridge, IpAddress, Lab, NetNamespace, Route, VethLink } from '../../../constructs/index.js';
import { loadPlan, PlanError } from '../../../src/plan/validate.js';
import { problemsOf, resourcesOf } from '../constructs/helpers.js';

describe('validation across a link and of links declared down', () => {
  test('refuses the same address on both ends of one veth, in two namespaces', () => {
    // GIVEN one cable between red and blue with 10.0.0.1 on both ends
    const app = new App();
    const lab = new Lab(app, 'lab');
    const cable = new VethLink(lab, 'cable', { a: { namespace: new NetNamespace(lab, 'red') }, b: { namespace: new NetNamespace(lab, 'blue') } });
    new IpAddress(lab, 'red-ip', { device: cable.a, address: '10.0.0.1/24' });
    new IpAddress(lab, 'blue-ip', { device: cable.b, address: '10.0.0.1/24' });
    // THEN one error, naming both constructs
    expect(problemsOf(app)).toEqual(['[lab/blue-ip] address 10.0.0.1 is also assigned by lab/red-ip on the same link (cable-a in namespace "red"): one segment, one owner per address']);
  });

  test('refuses the same address twice on one bridge segment (bridge, ports and their peers)', () => {
    const app = new App();
    const lab = new Lab(app, 'lab');
    const br = new Bridge(lab, 'br0');
    const a = new VethLink(lab, 'a', { a: { namespace: new NetNamespace(lab, 'red') }, b: { bridge: br } });
    const b = new VethLink(lab, 'b', { a: { namespace: new NetNamespace(lab, 'blue') }, b: { bridge: br } });
    new IpAddress(lab, 'red-ip', { device: a.a, address: 'fd00::1/64' });
    new IpAddress(lab, 'blue-ip', { device: b.a, address: 'fd00::1/64' });
    new IpAddress(lab, 'br-ip', { device: br, address: '10.9.0.1/24' });
    new IpAddress(lab, 'blue-ip4', { device: b.a, address: '10.9.0.1/24' });
    expect(problemsOf(app).sort()).toEqual([
      '[lab/blue-ip4] address 10.9.0.1 is also assigned by lab/br-ip on the same link (br0 in the host): one segment, one owner per address',
      '[lab/blue-ip] address fd00::1 is also assigned by lab/red-ip on the same link (a-a in namespace "red"): one segment, one owner per address',
    ]);
  });

  test('allows the same address on two separate links, and in two namespaces not linked', () => {
    const app = new App();
    const lab = new Lab(app, 'lab');
    const red = new NetNamespace(lab, 'red');
    const x = new VethLink(lab, 'x', { a: { namespace: red }, b: { namespace: new NetNamespace(lab, 'blue') } });
    const y = new VethLink(lab, 'y', { a: { namespace: new NetNamespace(lab, 'green') }, b: { namespace: new NetNamespace(lab, 'yellow') } });
    new IpAddress(lab, 'x-ip', { device: x.a, address: '10.0.0.1/24' });
    new IpAddress(lab, 'y-ip', { device: y.a, address: '10.0.0.1/24' });
    expect(Object.keys(resourcesOf(app))).toHaveLength(8);
  });

  test('refuses a route via a gateway reachable only over a link declared up: false', () => {
    const app = new App();
    const lab = new Lab(app, 'lab');
    const red = new NetNamespace(lab, 'red');
    const cable = new VethLink(lab, 'cable', { a: { namespace: red }, b: { namespace: new NetNamespace(lab, 'blue') }, up: false });
    new IpAddress(lab, 'red-ip', { device: cable.a, address: '10.0.0.1/24' });
    new Route(lab, 'out', { namespace: red, destination: 'default', via: '10.0.0.2' });
    new Route(lab, 'over', { namespace: red, destination: '10.3.0.0/16', via: '10.0.0.2', device: cable.a });
    new Route(lab, 'direct', { namespace: red, destination: '10.4.0.0/16', device: cable.a });
    expect(problemsOf(app)).toEqual([
      '[lab/out] gateway 10.0.0.2 is reachable only over "cable-a", which is declared down (up: false): the kernel refuses a route over a link that is down',
      '[lab/over] route device "cable-a" is declared down (up: false): the kernel refuses a route over a link that is down',
      '[lab/direct] route device "cable-a" is declared down (up: false): the kernel refuses a route over a link that is down',
    ]);
  });

  test('accepts a route via a gateway also reachable over a link that is up', () => {
    const app = new App();
    const lab = new Lab(app, 'lab');
    const red = new NetNamespace(lab, 'red');
    const blue = new NetNamespace(lab, 'blue');
    const down = new VethLink(lab, 'down', { a: { namespace: red }, b: { namespace: blue }, up: false });
    const up = new VethLink(lab, 'up', { a: { namespace: red }, b: { namespace: blue } });
    new IpAddress(lab, 'd', { device: down.a, address: '10.0.0.1/24' });
    new IpAddress(lab, 'u', { device: up.a, address: '10.0.0.3/24' });
    new Route(lab, 'out', { namespace: red, destination: 'default', via: '10.0.0.2' });
    expect(resourcesOf(app).out).toBeDefined();
  });

  test('a bridge whose id is too long for a name is shortened with a stable hash, like veth names; its ports follow', () => {
    const app = new App();
    const lab = new Lab(app, 'lab', { prefix: 'pfx-' });
    const br = new Bridge(lab, 'a-bridge-with-a-long-id');
    new VethLink(lab, 'port', { a: { namespace: new NetNamespace(lab, 'red') }, b: { bridge: br } });
    const r = resourcesOf(app);
    expect(r['a-bridge-with-a-long-id']).toMatchObject({ type: 'bridge', name: expect.stringMatching(/^pfx-a-brid-[0-9a-f]{4}$/u) });
    expect(Buffer.byteLength((r['a-bridge-with-a-long-id'] as { name: string }).name)).toBeLessThanOrEqual(15);
    expect((r.port as { b: { master: string } }).b.master).toBe((r['a-bridge-with-a-long-id'] as { name: string }).name);
  });

  test('a bridge name given too long is one error, not also one per port', () => {
    const app = new App();
    const lab = new Lab(app, 'lab');
    const br = new Bridge(lab, 'br', { name: 'a-bridge-name-too-long' });
    new VethLink(lab, 'p1', { a: { namespace: new NetNamespace(lab, 'red') }, b: { bridge: br } });
    new VethLink(lab, 'p2', { a: { namespace: new NetNamespace(lab, 'blue') }, b: { bridge: br } });
    new IpAddress(lab, 'br-ip', { device: br, address: '10.0.0.1/24' });
    expect(problemsOf(app)).toEqual(['[lab/br] interface name "a-bridge-name-too-long" is 22 bytes; the kernel allows 15']);
  });

  test('the same checks hold for a plan JSON', () => {
    const plan = {
      version: 1, lab: 'l', prefix: '',
      resources: {
        red: { type: 'namespace', name: 'red', path: 'l/red' },
        blue: { type: 'namespace', name: 'blue', path: 'l/blue' },
        cable: { type: 'veth', path: 'l/cable', up: true, a: { namespace: 'red', name: 'v' }, b: { namespace: 'blue', name: 'v' } },
        a1: { type: 'address', path: 'l/a1', namespace: 'red', device: 'v', address: '10.0.0.1/24' },
        a2: { type: 'address', path: 'l/a2', namespace: 'blue', device: 'v', address: '10.0.0.1/24' },
      },
    };
    expect(() => loadPlan(plan)).toThrow(PlanError);
    expect(() => loadPlan(plan)).toThrow(/\[l\/a2\] address 10\.0\.0\.1 is also assigned by l\/a1 on the same link/u);
  });
});
