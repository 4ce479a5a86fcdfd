// Docker's default bridge network as a lab. A namespace "docker" stands in for the Docker host:
// bridge docker0 (172.17.0.1/16) with two "containers" (web, db) on it, and an uplink to a
// namespace that stands in for the internet (203.0.113.0/24). Like Docker, the docker host
// forwards, masquerades the containers' connections out of its uplink, publishes web's port 80
// as 8080 (`docker run -p 8080:80`), and drops forwarded traffic it was not told to let through.
// Everything stays inside the lab's namespaces: the host's own tables and sysctls are untouched.
import { App, Bridge, Firewall, IpAddress, Lab, Masquerade, NetNamespace, PortForward, Route, VethLink } from 'nslab';

const app = new App();
const lab = new Lab(app, 'docker-bridge');

const docker = new NetNamespace(lab, 'docker', { sysctls: { 'net.ipv4.ip_forward': '1' } });
const internet = new NetNamespace(lab, 'internet');
const docker0 = new Bridge(lab, 'docker0', { namespace: docker, name: 'docker0' });
new IpAddress(lab, 'docker0-ip', { device: docker0, address: '172.17.0.1/16' });

['web', 'db'].forEach((name, i) => {
  const ns = new NetNamespace(lab, name);
  const link = new VethLink(lab, `${name}-link`, { a: { namespace: ns, name: 'eth0' }, b: { bridge: docker0, name: `veth-${name}` } });
  new IpAddress(lab, `${name}-ip`, { device: link.a, address: `172.17.0.${i + 2}/16` });
  new Route(lab, `${name}-default`, { namespace: ns, destination: 'default', via: '172.17.0.1' });
});

const uplink = new VethLink(lab, 'uplink', { a: { namespace: docker, name: 'eth0' }, b: { namespace: internet, name: 'eth0' } });
new IpAddress(lab, 'docker-wan', { device: uplink.a, address: '203.0.113.1/24' });
new IpAddress(lab, 'internet-ip', { device: uplink.b, address: '203.0.113.2/24' });

// POSTROUTING -s 172.17.0.0/16 -o eth0 -j MASQUERADE
new Masquerade(lab, 'masq', { namespace: docker, source: '172.17.0.0/16', outInterface: uplink.a });
// docker run -p 8080:80 web
new PortForward(lab, 'web-8080', { namespace: docker, inInterface: uplink.a, protocol: 'tcp', port: 8080, to: '172.17.0.2:80' });
// FORWARD policy DROP; containers may go out (but not to port 25); published ports come in;
// the docker host itself answers ping and nothing else from outside.
new Firewall(lab, 'fw', {
  namespace: docker,
  input: 'drop',
  forward: 'drop',
  rules: [
    { hook: 'forward', action: 'reject', inInterface: docker0, protocol: 'tcp', port: 25 },
    { hook: 'forward', action: 'accept', inInterface: docker0, outInterface: uplink.a },
    { hook: 'input', action: 'accept', protocol: 'icmp' },
    { hook: 'input', action: 'accept', inInterface: docker0 },
  ],
});

app.synth();
