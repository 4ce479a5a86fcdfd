// Seed lab 2: four namespaces on a bridge with the host. Each namespace has a veth whose other
// end is a port of br0 in the host; br0 carries the host's address (like docker0) and is every
// namespace's default gateway.
import { App, Lab, NetNamespace, VethLink, IpAddress, Bridge, Route } from 'nslab';

const app = new App();
const lab = new Lab(app, 'bridge');
const br0 = new Bridge(lab, 'br0');
new IpAddress(lab, 'br0-ip', { device: br0, address: '10.20.0.254/24' });

['red', 'blue', 'green', 'yellow'].forEach((name, i) => {
  const ns = new NetNamespace(lab, name);
  const link = new VethLink(lab, `${name}-link`, {
    a: { namespace: ns, name: 'eth0' },
    b: { bridge: br0, name: `br0-${name}` },
  });
  new IpAddress(lab, `${name}-ip`, { device: link.a, address: `10.20.0.${i + 1}/24` });
  new Route(lab, `${name}-default`, { namespace: ns, destination: 'default', via: '10.20.0.254' });
});
app.synth();
