import { App, IpAddress, Lab, NetNamespace, VethLink } from '../../../constructs/index.js';
import { PLAN_VERSION } from '../../../src/plan/types.js';

/** The seed program of Lab 1, verbatim apart from capture mode. */
function redBlue(app: App): void {
  const lab = new Lab(app, 'red-blue');
  const red = new NetNamespace(lab, 'red');
  const blue = new NetNamespace(lab, 'blue');
  const cable = new VethLink(lab, 'cable', {
    a: { namespace: red, name: 'veth-red' },
    b: { namespace: blue, name: 'veth-blue' },
  });
  new IpAddress(lab, 'red-ip', { device: cable.a, address: '10.10.0.1/24' });
  new IpAddress(lab, 'blue-ip', { device: cable.b, address: '10.10.0.2/24' });
}

describe('the red-blue lab', () => {
  const CAPTURE = Symbol.for('nslab.capture');
  afterEach(() => {
    delete (globalThis as Record<symbol, unknown>)[CAPTURE];
  });

  test('synthesizes exactly the expected plan', () => {
    (globalThis as Record<symbol, unknown>)[CAPTURE] = [];
    const app = new App();
    redBlue(app);

    const plans = app.synth();

    expect(plans).toStrictEqual([
      {
        version: PLAN_VERSION,
        lab: 'red-blue',
        prefix: '',
        resources: {
          red: { type: 'namespace', path: 'red-blue/red', name: 'red', loopbackUp: true, sysctls: {} },
          blue: { type: 'namespace', path: 'red-blue/blue', name: 'blue', loopbackUp: true, sysctls: {} },
          cable: {
            type: 'veth',
            path: 'red-blue/cable',
            a: { namespace: 'red', name: 'veth-red' },
            b: { namespace: 'blue', name: 'veth-blue' },
            up: true,
          },
          'red-ip': { type: 'address', path: 'red-blue/red-ip', namespace: 'red', device: 'veth-red', address: '10.10.0.1/24' },
          'blue-ip': { type: 'address', path: 'red-blue/blue-ip', namespace: 'blue', device: 'veth-blue', address: '10.10.0.2/24' },
        },
      },
    ]);
  });

  test('the namespace name defaults to the construct id and the ends are devices in their namespaces', () => {
    const app = new App();
    const lab = new Lab(app, 'red-blue');
    const red = new NetNamespace(lab, 'red');
    const blue = new NetNamespace(lab, 'blue', { name: 'azure' });
    const cable = new VethLink(lab, 'cable', { a: { namespace: red }, b: { namespace: blue, name: 'eth0' } });

    expect(red.name).toBe('red');
    expect(blue.name).toBe('azure');
    expect(cable.a.namespace).toBe(red);
    expect(cable.b.deviceName).toBe('eth0');
    expect(red.loopback.deviceName).toBe('lo');
    expect(red.loopback.namespace).toBe(red);
  });
});
