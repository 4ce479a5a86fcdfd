// Two copies of seed lab 1 side by side: one topology function, two labs, two prefixes.
// `nslab apply examples/side-by-side.ts` acts on both; `--lab copy-b` on one.
import { App, Lab, NetNamespace, VethLink, IpAddress } from 'nslab';

function redBlue(lab: Lab): void {
  const red = new NetNamespace(lab, 'red');
  const blue = new NetNamespace(lab, 'blue');
  const cable = new VethLink(lab, 'cable', {
    a: { namespace: red, name: 'veth-red' },
    b: { namespace: blue, name: 'veth-blue' },
  });
  new IpAddress(lab, 'red-ip', { device: cable.a, address: '10.10.0.1/24' });
  new IpAddress(lab, 'blue-ip', { device: cable.b, address: '10.10.0.2/24' });
}

const app = new App();
redBlue(new Lab(app, 'copy-a', { prefix: 'a-' }));
redBlue(new Lab(app, 'copy-b', { prefix: 'b-' }));
app.synth();
