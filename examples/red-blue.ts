// Seed lab 1: two namespaces on a veth cable.
import { App, Lab, NetNamespace, VethLink, IpAddress } from 'nslab';

const app = new App();
const lab = new Lab(app, 'red-blue');
const red = new NetNamespace(lab, 'red');    // the namespace's name defaults to its id
const blue = new NetNamespace(lab, 'blue');
const cable = new VethLink(lab, 'cable', {
  a: { namespace: red, name: 'veth-red' },
  b: { namespace: blue, name: 'veth-blue' },
});
new IpAddress(lab, 'red-ip', { device: cable.a, address: '10.10.0.1/24' });
new IpAddress(lab, 'blue-ip', { device: cable.b, address: '10.10.0.2/24' });
app.synth();
