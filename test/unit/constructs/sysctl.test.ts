import { App, Bridge, IpAddress, Lab, Masquerade, NetNamespace, PortForward, Sysctl, VethLink } from '../../../constructs/index.js';
import { loadPlan } from '../../../src/plan/validate.js';
import { problemsOf, resourcesOf } from './helpers.js';

/** GIVEN a namespace behind a host bridge, the host masquerading for it. */
function hostNat(forward?: string) {
  const app = new App();
  const lab = new Lab(app, 'hn');
  const c = new NetNamespace(lab, 'client');
  const br = new Bridge(lab, 'br');
  const up = new VethLink(lab, 'up', { a: { namespace: c, name: 'eth0' }, b: { bridge: br } });
  new IpAddress(lab, 'c-ip', { device: up.a, address: '10.78.0.2/24' });
  new IpAddress(lab, 'br-ip', { device: br, address: '10.78.0.1/24' });
  if (forward !== undefined) new Sysctl(lab, 'fwd', { key: 'net.ipv4.ip_forward', value: forward });
  return { app, lab, br, up };
}

describe('Sysctl', () => {
  it('synthesizes to a host sysctl resource', () => {
    const { app } = hostNat('1');
    expect(resourcesOf(app).fwd).toEqual({ type: 'sysctl', path: 'hn/fwd', key: 'net.ipv4.ip_forward', value: '1' });
  });

  it('refuses a namespace, pointing at the namespace\'s own sysctls', () => {
    const app = new App();
    const lab = new Lab(app, 'l');
    const red = new NetNamespace(lab, 'red');
    new Sysctl(lab, 'fwd', { key: 'net.ipv4.ip_forward', value: '1', namespace: red as never });
    expect(problemsOf(app)).toEqual([
      '[l/fwd] a Sysctl is the host\'s and takes no "namespace": set a namespace\'s sysctls on it, new NetNamespace(lab, \'name\', { sysctls: { \'net.ipv4.ip_forward\': \'1\' } })',
    ]);
  });

  it('reports keys outside net.*, bad values and a key declared twice, each with its path', () => {
    const app = new App();
    const lab = new Lab(app, 'l');
    new Sysctl(lab, 'a', { key: 'kernel.panic', value: '1' });
    new Sysctl(lab, 'b', { key: 'net.ipv4.ip_forward', value: '1\nnet.core.x=1' });
    new Sysctl(lab, 'c', { key: 'net.ipv4.ip_forward', value: '1' });
    new Sysctl(lab, 'd', { key: 'net.ipv4.ip_forward', value: '0' });
    new Sysctl(lab, 'e', { key: 'net.ipv4.ip_default_ttl' } as never);
    expect(problemsOf(app)).toEqual([
      '[l/e] "value" is required and must be a string, e.g. \'1\'',
      '[l/a] sysctl "kernel.panic" is not a host sysctl (net.*, dotted, lowercase)',
      '[l/b] sysctl "net.ipv4.ip_forward" has an invalid value "1\\nnet.core.x=1"',
      '[l/d] sysctl "net.ipv4.ip_forward" in the host is also declared by l/c',
    ]);
  });

  it('is required, with ip_forward at 1, by a masquerade or port forward in the host; the error says what to add', () => {
    const { app, lab, br } = hostNat();
    new Masquerade(lab, 'masq', { source: '10.78.0.0/24', outInterface: br });
    new PortForward(lab, 'web', { inInterface: br, protocol: 'tcp', port: 8080, to: '10.78.0.2:80' });
    const add = 'add new Sysctl(lab, \'ip-forward\', { key: \'net.ipv4.ip_forward\', value: \'1\' }) (nslab puts back the value it found once the lab no longer declares it)';
    expect(problemsOf(app)).toEqual([
      `[hn/masq] a masquerade in the host, which the lab does not make forward: ${add}`,
      `[hn/web] a port forward in the host, which the lab does not make forward: ${add}`,
    ]);
    const off = hostNat('0');
    new Masquerade(off.lab, 'masq', { outInterface: off.br });
    expect(problemsOf(off.app)).toEqual([`[hn/masq] a masquerade in the host, which the lab does not make forward: ${add}`]);
    const on = hostNat('1');
    new Masquerade(on.lab, 'masq', { source: '10.78.0.0/24', outInterface: on.br });
    expect(resourcesOf(on.app).masq).toMatchObject({ type: 'masquerade', outInterface: 'br' });
  });

  it('in a plan file: host only, key a string', () => {
    const plan = (r: unknown) => () => loadPlan({ version: 1, lab: 'l', resources: { s: r } });
    expect(plan({ type: 'sysctl', path: 'l/s', namespace: 'red', key: 'net.ipv4.ip_forward', value: '1' })).toThrow(
      '[l/s] a sysctl resource is the host\'s; a namespace\'s sysctls are the "sysctls" of its namespace resource');
    expect(plan({ type: 'sysctl', path: 'l/s', key: 7, value: '1' })).toThrow('[l/s] key must be a string (a sysctl such as "net.ipv4.ip_forward")');
    expect(loadPlan({ version: 1, lab: 'l', resources: { s: { type: 'sysctl', path: 'l/s', key: 'net.ipv4.ip_forward', value: 1 } } }).resources.s)
      .toEqual({ type: 'sysctl', path: 'l/s', key: 'net.ipv4.ip_forward', value: '1' });
  });
});
