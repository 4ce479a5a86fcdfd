import { App, Bridge, IpAddress, Lab, NetNamespace, Route, VethLink } from '../../../constructs/index.js';
import { resourcesOf } from './helpers.js';

describe('a lab prefix', () => {
  function prefixedLab() {
    const app = new App();
    const lab = new Lab(app, 'lab1', { prefix: 't1-' });
    const red = new NetNamespace(lab, 'red');
    const hostBr = new Bridge(lab, 'br0');
    const nsBr = new Bridge(lab, 'br1', { namespace: red });
    new VethLink(lab, 'uplink', { a: { namespace: red, name: 'eth0' }, b: { host: true, name: 'up0' } });
    const port = new VethLink(lab, 'port', { a: { bridge: hostBr }, b: { namespace: red } });
    new VethLink(lab, 'inner', { a: { bridge: nsBr, name: 'in0' }, b: { namespace: red, name: 'in1' } });
    new IpAddress(lab, 'host-ip', { device: hostBr, address: '10.1.0.1/24' });
    new IpAddress(lab, 'red-ip', { device: port.b, address: '10.1.0.2/24' });
    new Route(lab, 'host-route', { destination: '10.9.0.0/16', via: '10.1.0.2', device: hostBr });
    return { app, red, hostBr, nsBr, port };
  }

  test('goes in front of namespace names and host-side interface and bridge names', () => {
    const { app } = prefixedLab();

    const r = resourcesOf(app);

    expect(r.red).toMatchObject({ type: 'namespace', name: 't1-red' });
    expect(r.br0).toEqual({ type: 'bridge', path: 'lab1/br0', name: 't1-br0', up: true });
    expect(r.uplink).toMatchObject({ a: { namespace: 't1-red', name: 'eth0' }, b: { name: 't1-up0' } });
    expect(r.port).toMatchObject({ a: { name: 't1-port-a', master: 't1-br0' } });
    expect(r['host-ip']).toEqual({ type: 'address', path: 'lab1/host-ip', device: 't1-br0', address: '10.1.0.1/24' });
    expect(r['host-route']).toEqual({
      type: 'route', path: 'lab1/host-route', family: 4, destination: '10.9.0.0/16', via: '10.1.0.2', device: 't1-br0',
    });
  });

  test('is not put in front of names inside a namespace', () => {
    const { app, nsBr, port } = prefixedLab();

    const r = resourcesOf(app);

    expect(nsBr.deviceName).toBe('br1');
    expect(port.b.deviceName).toBe('port-b');
    expect(r.br1).toEqual({ type: 'bridge', path: 'lab1/br1', namespace: 't1-red', name: 'br1', up: true });
    expect(r.inner).toMatchObject({ a: { namespace: 't1-red', name: 'in0', master: 'br1' }, b: { namespace: 't1-red', name: 'in1' } });
    expect(r['red-ip']).toMatchObject({ namespace: 't1-red', device: 'port-b' });
  });

  test('keys resources by their path below the lab, so nested constructs get group/name', async () => {
    const { Construct } = await import('constructs');
    const app = new App();
    const lab = new Lab(app, 'lab1', { prefix: 'p-' });
    const group = new Construct(lab, 'group');
    new NetNamespace(group, 'red');

    const r = resourcesOf(app);

    expect(Object.keys(r)).toEqual(['group/red']);
    expect(r['group/red']).toMatchObject({ path: 'lab1/group/red', name: 'p-red' });
  });
});
