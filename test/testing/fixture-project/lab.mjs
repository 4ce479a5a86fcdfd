// The lab every script and test here deploys: red and blue on a cable, blue also on a host bridge.
import { Bridge, IpAddress, NetNamespace, VethLink } from 'nslab';

export function redBlue(lab) {
  const red = new NetNamespace(lab, 'red');
  const blue = new NetNamespace(lab, 'blue');
  const cable = new VethLink(lab, 'cable', { a: { namespace: red, name: 'eth0' }, b: { namespace: blue, name: 'eth0' } });
  new IpAddress(lab, 'red-ip', { device: cable.a, address: '10.50.0.1/24' });
  new IpAddress(lab, 'blue-ip', { device: cable.b, address: '10.50.0.2/24' });
  const br = new Bridge(lab, 'br');
  const up = new VethLink(lab, 'up', { a: { namespace: blue, name: 'up' }, b: { bridge: br, name: 'br-blue' } });
  new IpAddress(lab, 'blue-up', { device: up.a, address: '10.51.0.2/24' });
  new IpAddress(lab, 'br-ip', { device: br, address: '10.51.0.254/24' });
}
