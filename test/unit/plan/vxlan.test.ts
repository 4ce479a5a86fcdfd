/**
 * Loading `vxlan` resources: the canonical form, and every problem, each naming the resource's path.
 */
import { PlanError, loadPlan } from '../../../src/plan/validate.js';
import { identity, type VxlanResource } from '../../../src/plan/types.js';

const NS = { type: 'namespace', path: 'lab/red', name: 'red' };
const VX = { type: 'vxlan', path: 'lab/tun', namespace: 'red', name: 'vx0', vni: 42, local: '192.0.2.1', remote: '192.0.2.2', port: 4789 };

const load = (resources: Record<string, unknown>) => loadPlan({ version: 1, lab: 'lab', prefix: '', resources: { red: NS, ...resources } });
const problems = (resources: Record<string, unknown>): string[] => {
  try {
    load(resources);
  } catch (e) {
    if (e instanceof PlanError) return e.problems;
    throw e;
  }
  return [];
};

describe('a vxlan resource in a plan', () => {
  it('loads in canonical form: compressed lowercase IPv6, up by default, MTU as declared', () => {
    const plan = load({ tun: { ...VX, local: 'FD00:0:0::0001', remote: 'fd00::2', mtu: 1450 } });
    expect(plan.resources.tun).toEqual({
      type: 'vxlan', path: 'lab/tun', namespace: 'red', name: 'vx0', vni: 42, local: 'fd00::1', remote: 'fd00::2', port: 4789, mtu: 1450, up: true,
    } satisfies VxlanResource);
  });

  it('has the identity of a link in its namespace', () => {
    expect(identity(load({ tun: VX }).resources.tun!)).toBe('link red/vx0');
  });

  it('needs a namespace: a vxlan never lives in the host', () => {
    expect(problems({ tun: { ...VX, namespace: undefined } })).toEqual(['[lab/tun] a vxlan device lives in a lab namespace: "namespace" is required (the host cannot hold one)']);
  });

  it('needs its namespace declared in the lab', () => {
    expect(problems({ tun: { ...VX, namespace: 'blue' } })).toEqual(['[lab/tun] namespace "blue" is not declared in lab "lab"']);
  });

  it('follows the kernel\'s interface name rules', () => {
    expect(problems({ tun: { ...VX, name: 'a-name-that-is-too-long' } })).toEqual(['[lab/tun] interface name "a-name-that-is-too-long" is 23 bytes; the kernel allows 15']);
    expect(problems({ tun: { ...VX, name: 'a/b' } })).toEqual([expect.stringMatching(/^\[lab\/tun\] interface name "a\/b" /u)]);
  });

  it('clashes with another link of the same name in the namespace', () => {
    const veth = { type: 'veth', path: 'lab/cable', a: { namespace: 'red', name: 'vx0' }, b: { name: 'h0' } };
    expect(problems({ cable: veth, tun: VX })).toEqual(['[lab/tun] interface name "vx0" in namespace "red" is also used by lab/cable']);
  });

  it.each([[0], [16777216], [1.5], ['42'], [undefined]])('refuses VNI %p', (vni) => {
    expect(problems({ tun: { ...VX, vni } })).toEqual([`[lab/tun] VNI ${JSON.stringify(vni)} is not an integer from 1 to 16777215`]);
  });

  it('accepts the VNI range\'s ends', () => {
    expect(problems({ tun: { ...VX, vni: 1 }, tun2: { ...VX, path: 'lab/tun2', name: 'vx1', vni: 16777215 } })).toEqual([]);
  });

  it.each([[0], [65536], ['4789'], [undefined]])('refuses port %p', (port) => {
    expect(problems({ tun: { ...VX, port } })).toEqual([`[lab/tun] port ${JSON.stringify(port)} is not an integer from 1 to 65535 (the UDP destination port, usually 4789)`]);
  });

  it('refuses an address that is not an IP address', () => {
    expect(problems({ tun: { ...VX, local: '192.0.2.300' } })).toEqual(['[lab/tun] local address "192.0.2.300" is not an IPv4 or IPv6 address']);
    expect(problems({ tun: { ...VX, remote: 'peer.example' } })).toEqual(['[lab/tun] remote address "peer.example" is not an IPv4 or IPv6 address']);
    expect(problems({ tun: { ...VX, remote: undefined } })).toEqual(['[lab/tun] remote address must be a string']);
  });

  it('refuses a multicast or unspecified underlay address', () => {
    expect(problems({ tun: { ...VX, remote: '239.1.1.1' } })).toEqual(['[lab/tun] remote address "239.1.1.1" is a multicast address (nslab makes point-to-point tunnels)']);
    expect(problems({ tun: { ...VX, local: '::', remote: 'ff02::1' } })).toEqual([
      '[lab/tun] local address "::" is unspecified',
      '[lab/tun] remote address "ff02::1" is a multicast address (nslab makes point-to-point tunnels)',
    ]);
  });

  it('refuses addresses of two families', () => {
    expect(problems({ tun: { ...VX, remote: 'FD00::2' } })).toEqual(['[lab/tun] remote address fd00::2 is IPv6 but local address 192.0.2.1 is IPv4: both ends of a tunnel use one family']);
  });

  it('takes the MTU range of the other links', () => {
    expect(problems({ tun: { ...VX, mtu: 67 } })).toEqual(['[lab/tun] MTU 67 is not an integer from 68 to 65535']);
    expect(problems({ tun: { ...VX, mtu: 65536 } })).toEqual(['[lab/tun] MTU 65536 is not an integer from 68 to 65535']);
  });

  it('refuses an up that is not a boolean', () => {
    expect(problems({ tun: { ...VX, up: 'yes' } })).toEqual(['[lab/tun] up must be true or false']);
  });

  it('refuses two vxlans with the same VNI, port and local address', () => {
    const blue = { type: 'namespace', path: 'lab/blue', name: 'blue' };
    const other = { ...VX, path: 'lab/tun2', namespace: 'blue', remote: '192.0.2.3' };
    expect(problems({ blue, tun: VX, tun2: other })).toEqual(['[lab/tun2] VNI 42 is also used by lab/tun with the same port 4789 and local address 192.0.2.1']);
    // Another port, or another local address (another machine's end of the same tunnel), is fine.
    expect(problems({ blue, tun: VX, tun2: { ...other, port: 4790 } })).toEqual([]);
    expect(problems({ blue, tun: VX, tun2: { ...other, local: '192.0.2.2', remote: '192.0.2.1' } })).toEqual([]);
  });

  it('lets addresses and routes use the vxlan device', () => {
    expect(problems({
      tun: VX,
      ip: { type: 'address', path: 'lab/ip', namespace: 'red', device: 'vx0', address: '10.40.0.1/24' },
      rt: { type: 'route', path: 'lab/rt', namespace: 'red', destination: '10.41.0.0/24', via: '10.40.0.2', device: 'vx0' },
    })).toEqual([]);
  });

  it('reports a bad device name once, on the vxlan, not again on its address', () => {
    expect(problems({
      tun: { ...VX, name: 'a-name-that-is-too-long' },
      ip: { type: 'address', path: 'lab/ip', namespace: 'red', device: 'a-name-that-is-too-long', address: '10.40.0.1/24' },
    })).toEqual(['[lab/tun] interface name "a-name-that-is-too-long" is 23 bytes; the kernel allows 15']);
  });
});
