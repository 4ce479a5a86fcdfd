// The topology, as a function: one function serves a cdktf stack, a cdktn stack, a jest test and an nslab App.
import { IpAddress, NetNamespace, VethLink, type Lab } from 'nslab';

export function redBlue(lab: Lab): void {
  const red = new NetNamespace(lab, 'red');
  const blue = new NetNamespace(lab, 'blue');
  const cable = new VethLink(lab, 'cable', {
    a: { namespace: red, name: 'veth-red' },
    b: { namespace: blue, name: 'veth-blue' },
  });
  new IpAddress(lab, 'red-ip', { device: cable.a, address: '10.10.0.1/24' });
  new IpAddress(lab, 'blue-ip', { device: cable.b, address: '10.10.0.2/24' });
}
