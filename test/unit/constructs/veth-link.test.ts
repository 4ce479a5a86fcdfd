import { App, Bridge, Lab, NetNamespace, VethLink, type VethEndProps } from '../../../constructs/index.js';
import { synthesize } from '../../../src/synth/synth.js';
import { problemsOf, resourcesOf } from './helpers.js';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

describe('default veth end names', () => {
  test('are <id>-a and <id>-b when that fits', () => {
    const app = new App();
    const lab = new Lab(app, 'lab1');
    const ns = new NetNamespace(lab, 'ns');
    const link = new VethLink(lab, 'cable', { a: { namespace: ns }, b: { host: true } });

    expect(link.a.deviceName).toBe('cable-a');
    expect(link.b.deviceName).toBe('cable-b');
  });

  test('are at most 15 bytes, distinct and deterministic when the id is long', () => {
    const build = () => {
      const app = new App();
      const lab = new Lab(app, 'lab1', { prefix: 'long-prefix-' });
      const ns = new NetNamespace(lab, 'ns');
      const link = new VethLink(lab, 'uplink-to-the-core-router', { a: { namespace: ns }, b: { host: true } });
      const other = new VethLink(lab, 'uplink-to-the-core-switch', { a: { namespace: ns }, b: { host: true } });
      return [link.a.deviceName, link.b.deviceName, other.a.deviceName, other.b.deviceName];
    };

    const names = build();

    for (const n of names) expect(bytes(n)).toBeLessThanOrEqual(15);
    expect(new Set(names).size).toBe(4);
    expect(build()).toEqual(names);
    expect(names[0]).toMatch(/^uplink-t-[0-9a-f]{4}-a$/u);
    expect(names[1]).toMatch(/^long-pre-[0-9a-f]{4}-b$/u);
  });

  test('differ for links with the same id in different groups', async () => {
    const { Construct } = await import('constructs');
    const app = new App();
    const lab = new Lab(app, 'lab1');
    const ns = new NetNamespace(lab, 'ns');
    const one = new VethLink(new Construct(lab, 'g1'), 'a-rather-long-link', { a: { namespace: ns }, b: { host: true } });
    const two = new VethLink(new Construct(lab, 'g2'), 'a-rather-long-link', { a: { namespace: ns }, b: { host: true } });

    expect(one.a.deviceName).not.toBe(two.a.deviceName);
    expect(() => synthesize(app)).not.toThrow();
  });

  test('explicit names are never shortened: a long one is a validation error', () => {
    const app = new App();
    const lab = new Lab(app, 'lab1');
    const ns = new NetNamespace(lab, 'ns');
    new VethLink(lab, 'cable', { a: { namespace: ns, name: 'a-very-long-name' }, b: { host: true } });

    expect(() => synthesize(app)).toThrow('[lab1/cable] interface name "a-very-long-name" is 16 bytes; the kernel allows 15');
  });
});

describe('veth ends on a bridge', () => {
  test('get the bridge as master and live in the bridge\'s namespace', () => {
    const app = new App();
    const lab = new Lab(app, 'lab1');
    const ns = new NetNamespace(lab, 'sw');
    const br = new Bridge(lab, 'br0', { namespace: ns, mtu: 9000 });
    const h1 = new NetNamespace(lab, 'h1');
    const link = new VethLink(lab, 'h1-link', { a: { namespace: h1, name: 'eth0', mac: '02:00:00:00:00:01' }, b: { bridge: br }, mtu: 9000 });

    const r = resourcesOf(app);

    expect(link.b.namespace).toBe(ns);
    expect(link.b.bridge).toBe(br);
    expect(r['h1-link']).toEqual({
      type: 'veth',
      path: 'lab1/h1-link',
      a: { namespace: 'h1', name: 'eth0', mac: '02:00:00:00:00:01' },
      b: { namespace: 'sw', name: 'h1-link-b', master: 'br0' },
      mtu: 9000,
      up: true,
    });
    expect(r.br0).toEqual({ type: 'bridge', path: 'lab1/br0', namespace: 'sw', name: 'br0', mtu: 9000, up: true });
  });
});

describe('veth end locations', () => {
  function withEnds(a: unknown, b: unknown) {
    const app = new App();
    const lab = new Lab(app, 'lab1');
    new VethLink(lab, 'cable', { a: a as VethEndProps, b: b as VethEndProps });
    return app;
  }

  test('an end with no location and an end with two are both reported', () => {
    const app = new App();
    const lab = new Lab(app, 'lab1');
    const ns = new NetNamespace(lab, 'ns');
    const br = new Bridge(lab, 'br', { namespace: ns });
    new VethLink(lab, 'cable', { a: { name: 'x' } as unknown as VethEndProps, b: { namespace: ns, bridge: br } as unknown as VethEndProps });

    expect(problemsOf(app)).toEqual([
      '[lab1/cable] end a must set exactly one of "namespace", "bridge" or "host: true" (it sets none)',
      '[lab1/cable] end b must set exactly one of "namespace", "bridge" or "host: true" (it sets "namespace" and "bridge")',
    ]);
  });

  test('a namespace prop that is not a NetNamespace is reported', () => {
    const app = withEnds({ namespace: 'red' }, { host: true });

    expect(() => synthesize(app)).toThrow('[lab1/cable] end a: "namespace" must be a NetNamespace');
  });
});
