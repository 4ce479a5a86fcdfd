import {
  App, Bridge, IpAddress, Lab, NetNamespace, PlanError, Route, VethLink, type IDevice,
} from '../../../constructs/index.js';
import { synthesize } from '../../../src/synth/synth.js';
import { problemsOf } from '../constructs/helpers.js';

describe('synth validation', () => {
  test('reports every problem of every lab in one PlanError, each with its construct path', () => {
    // GIVEN a lab with six independent mistakes, one of them a reference into another lab
    const app = new App();
    const lab = new Lab(app, 'lab1');
    const other = new Lab(app, 'lab2');
    const red = new NetNamespace(lab, 'red');
    new NetNamespace(lab, 'red-again', { name: 'red' });
    const foreign = new NetNamespace(other, 'blue');
    const foreignLink = new VethLink(other, 'cable', { a: { namespace: foreign, name: 'eth0' }, b: { host: true } });
    const sw = new Bridge(lab, 'sw', { namespace: red, mtu: 1500 });
    const link = new VethLink(lab, 'link', { a: { namespace: red, name: 'seventeen-bytes-x' }, b: { host: true } });
    new VethLink(lab, 'jumbo', { a: { bridge: sw }, b: { host: true }, mtu: 9000 });
    new IpAddress(lab, 'bad-cidr', { device: link.b, address: '10.0.0.300/24' });
    new IpAddress(lab, 'sw-ip', { device: sw, address: '10.1.0.1/24' });
    new IpAddress(lab, 'stolen', { device: foreignLink.a, address: '10.2.0.1/24' });
    new Route(lab, 'far', { namespace: red, destination: '10.9.0.0/16', via: '192.168.7.1', device: sw });

    // WHEN synth runs
    const problems = problemsOf(app);

    // THEN each mistake is reported once, with the path of the construct that made it
    expect(problems).toEqual(
      expect.arrayContaining([
        '[lab1/link] interface name "seventeen-bytes-x" is 17 bytes; the kernel allows 15',
        '[lab1/bad-cidr] address "10.0.0.300/24" is not an IPv4 or IPv6 CIDR (e.g. 10.0.0.1/24)',
        '[lab1/red-again] namespace name "red" is also used by lab1/red',
        '[lab1/stolen] device "eth0" of "lab2/cable" belongs to lab "lab2", not to this lab ("lab1")',
        '[lab1/far] gateway 192.168.7.1 is on no subnet connected to device "sw"',
        '[lab1/jumbo] MTU mismatch: link MTU 9000 but bridge "sw" (lab1/sw) has MTU 1500',
      ]),
    );
    expect(problems).toHaveLength(6);
    for (const p of problems) expect(p).toMatch(/^\[lab1\/[a-z-]+\] /u);
  });

  test('writes nothing when there is a problem', async () => {
    const { mkdtempSync, readdirSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const outdir = join(mkdtempSync(join(tmpdir(), 'nslab-synth-')), 'out');
    const app = new App({ outdir });
    const lab = new Lab(app, 'lab1');
    new NetNamespace(lab, 'good');
    new NetNamespace(new Lab(app, 'lab2'), 'bad name');

    expect(() => app.synth()).toThrow(PlanError);
    expect(() => readdirSync(outdir)).toThrow(/ENOENT/u);
  });

  test('reports a route whose device is in another namespace than the route', () => {
    const app = new App();
    const lab = new Lab(app, 'lab1');
    const red = new NetNamespace(lab, 'red');
    const blue = new NetNamespace(lab, 'blue');
    const link = new VethLink(lab, 'cable', { a: { namespace: red }, b: { namespace: blue } });
    new IpAddress(lab, 'ip', { device: link.b, address: '10.0.0.2/24' });
    new Route(lab, 'r', { namespace: red, destination: '10.9.0.0/16', device: link.b });

    expect(problemsOf(app)).toContain(
      '[lab1/r] route is in namespace "lab1/red" but its device "cable-b" of "lab1/cable" is in namespace "lab1/blue"',
    );
  });

  test('reports references to namespaces and bridges of another lab', () => {
    const app = new App();
    const lab = new Lab(app, 'lab1');
    const other = new Lab(app, 'lab2');
    const theirNs = new NetNamespace(other, 'ns');
    const theirBr = new Bridge(other, 'br');
    new Bridge(lab, 'br', { namespace: theirNs });
    new VethLink(lab, 'cable', { a: { namespace: theirNs }, b: { bridge: theirBr } });
    new Route(lab, 'r', { namespace: theirNs, destination: '10.0.0.0/8', device: theirNs.loopback });

    const problems = problemsOf(app);

    expect(problems).toEqual(
      expect.arrayContaining([
        '[lab1/br] namespace "lab2/ns" belongs to lab "lab2", not to this lab ("lab1")',
        '[lab1/cable] end a: namespace "lab2/ns" belongs to lab "lab2", not to this lab ("lab1")',
        '[lab1/cable] end b: bridge "lab2/br" belongs to lab "lab2", not to this lab ("lab1")',
        '[lab1/r] namespace "lab2/ns" belongs to lab "lab2", not to this lab ("lab1")',
        '[lab1/r] device "lo" of "lab2/ns" belongs to lab "lab2", not to this lab ("lab1")',
      ]),
    );
  });

  test('reports props of the wrong type instead of crashing', () => {
    const app = new App();
    const lab = new Lab(app, 'lab1');
    new IpAddress(lab, 'ip', { device: 'veth0' as unknown as IDevice, address: '10.0.0.1/24' });
    new NetNamespace(lab, 'ns', { name: 7 as unknown as string });
    new Route(lab, 'r', { namespace: 'red' as unknown as NetNamespace, destination: '10.0.0.0/8', via: '10.0.0.1' });

    expect(problemsOf(app)).toEqual([
      '[lab1/ip] "device" must be a device (a veth end, a namespace\'s loopback or a Bridge)',
      '[lab1/ns] "name" must be a string',
      '[lab1/r] "namespace" must be a NetNamespace',
    ]);
  });

  test('reports constructs declared outside any Lab', () => {
    const app = new App();
    new NetNamespace(app, 'stray');

    expect(problemsOf(app)).toEqual(["[stray] NetNamespace must be declared inside a Lab (new Lab(app, 'name'))"]);
  });

  test('reports an invalid lab prefix and a Lab nested in a Lab with the lab path', () => {
    const app = new App();
    const lab = new Lab(app, 'lab1', { prefix: 'far-too-long-prefix' });
    new Lab(lab, 'inner');

    const problems = problemsOf(app);

    expect(problems).toContain('[lab1] prefix "far-too-long-prefix" must be at most 12 letters, digits, "_", "." or "-"');
    expect(problems).toContain('[lab1/inner] a Lab cannot be declared inside another Lab ("lab1")');
  });

  test('reports a host default route, which nslab never touches', () => {
    const app = new App();
    const lab = new Lab(app, 'lab1');
    const br = new Bridge(lab, 'br');
    new Route(lab, 'r', { destination: 'default', device: br });

    expect(problemsOf(app)).toEqual([
      "[lab1/r] a default route in the host namespace is not allowed: nslab never touches the host's default route",
    ]);
  });

  test('canonicalizes addresses and routes, and an IPv6 default route has family 6', () => {
    const app = new App();
    const lab = new Lab(app, 'lab1');
    const ns = new NetNamespace(lab, 'ns', { sysctls: { 'net.ipv6.conf.all.forwarding': '1' } });
    new IpAddress(lab, 'ip6', { device: ns.loopback, address: 'FD00:0:0::1/64' });
    new Route(lab, 'r6', { namespace: ns, destination: '::/0', via: 'fd00::2', metric: 10 });

    const [plan] = synthesize(app);

    expect(plan!.resources).toEqual({
      ns: { type: 'namespace', path: 'lab1/ns', name: 'ns', loopbackUp: true, sysctls: { 'net.ipv6.conf.all.forwarding': '1' } },
      ip6: { type: 'address', path: 'lab1/ip6', namespace: 'ns', device: 'lo', address: 'fd00::1/64' },
      r6: { type: 'route', path: 'lab1/r6', namespace: 'ns', family: 6, destination: 'default', via: 'fd00::2', metric: 10 },
    });
  });
});
