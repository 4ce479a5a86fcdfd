import { Construct } from 'constructs';
import {
  App, Bridge, IpAddress, Lab, NetNamespace, Route, VethLink, isDevice,
} from '../../../constructs/index.js';

describe('Lab.of', () => {
  test('walks the scope chain up to the nearest Lab', () => {
    const app = new App();
    const lab = new Lab(app, 'lab1');
    const group = new Construct(lab, 'group');
    const ns = new NetNamespace(group, 'red');

    expect(Lab.of(ns)).toBe(lab);
    expect(Lab.of(lab)).toBe(lab);
  });

  test('throws an error naming the construct path when there is no Lab', () => {
    const app = new App();
    const group = new Construct(app, 'loose');
    const ns = new NetNamespace(group, 'red');

    expect(() => Lab.of(ns)).toThrow(/"loose\/red" is not inside a Lab/u);
    expect(Lab.tryOf(ns)).toBeUndefined();
  });
});

describe('type guards', () => {
  test('recognize each construct and reject everything else', () => {
    const app = new App();
    const lab = new Lab(app, 'lab1');
    const ns = new NetNamespace(lab, 'ns');
    const br = new Bridge(lab, 'br');
    const link = new VethLink(lab, 'link', { a: { namespace: ns }, b: { bridge: br } });
    const ip = new IpAddress(lab, 'ip', { device: link.a, address: '10.0.0.1/24' });
    const route = new Route(lab, 'r', { namespace: ns, destination: 'default', via: '10.0.0.2' });

    expect(App.isApp(app)).toBe(true);
    expect(Lab.isLab(lab)).toBe(true);
    expect(NetNamespace.isNetNamespace(ns)).toBe(true);
    expect(Bridge.isBridge(br)).toBe(true);
    expect(VethLink.isVethLink(link)).toBe(true);
    expect(IpAddress.isIpAddress(ip)).toBe(true);
    expect(Route.isRoute(route)).toBe(true);
    for (const guard of [App.isApp, Lab.isLab, NetNamespace.isNetNamespace, Bridge.isBridge, VethLink.isVethLink, IpAddress.isIpAddress, Route.isRoute, isDevice]) {
      expect(guard(undefined)).toBe(false);
      expect(guard(null)).toBe(false);
      expect(guard('red')).toBe(false);
      expect(guard({})).toBe(false);
    }
    expect(NetNamespace.isNetNamespace(br)).toBe(false);
    expect(Lab.isLab(app)).toBe(false);
  });

  test('veth ends, loopbacks and bridges are devices; namespaces and links are not', () => {
    const app = new App();
    const lab = new Lab(app, 'lab1');
    const ns = new NetNamespace(lab, 'ns');
    const br = new Bridge(lab, 'br');
    const link = new VethLink(lab, 'link', { a: { namespace: ns }, b: { host: true } });

    expect([link.a, link.b, ns.loopback, br].every(isDevice)).toBe(true);
    expect(isDevice(ns)).toBe(false);
    expect(isDevice(link)).toBe(false);
  });
});

describe('App', () => {
  const APPS = Symbol.for('nslab.apps');
  const saved = process.env.NSLAB_OUTDIR;
  afterEach(() => {
    delete (globalThis as Record<symbol, unknown>)[APPS];
    if (saved === undefined) delete process.env.NSLAB_OUTDIR;
    else process.env.NSLAB_OUTDIR = saved;
  });

  test('registers itself when the CLI has put an app registry on globalThis', () => {
    const registry: unknown[] = [];
    (globalThis as Record<symbol, unknown>)[APPS] = registry;

    const first = new App();
    const second = new App();

    expect(registry).toEqual([first, second]);
  });

  test('takes its output directory from props, else NSLAB_OUTDIR, else nslab.out', () => {
    delete process.env.NSLAB_OUTDIR;
    expect(new App().outdir).toBe('nslab.out');
    process.env.NSLAB_OUTDIR = '/tmp/elsewhere';
    expect(new App().outdir).toBe('/tmp/elsewhere');
    expect(new App({ outdir: 'out' }).outdir).toBe('out');
  });
});
