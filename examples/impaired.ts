// Impaired links. Lab "impaired": a client reaches a server over a link limited to 8 Mbit/s
// (a rate alone is a tbf qdisc, which every common kernel has). Lab "impaired-delay": the same
// shape with 20 ms +- 5 ms of delay and 1 % loss, which needs the kernel's netem qdisc; on a
// kernel without netem (CONFIG_NET_SCH_NETEM) `nslab plan` refuses it before any change, saying so.
//   nslab apply examples/impaired.ts --lab impaired --auto-approve
import { App, IpAddress, Lab, NetNamespace, VethLink, type Impair } from 'nslab';

function build(lab: Lab, impair: Impair): void {
  const client = new NetNamespace(lab, 'client');
  const server = new NetNamespace(lab, 'server');
  // Impairments act on what leaves an end (egress): here, what the client sends.
  const link = new VethLink(lab, 'link', {
    a: { namespace: client, name: 'eth0', impair },
    b: { namespace: server, name: 'eth0' },
  });
  new IpAddress(lab, 'client-ip', { device: link.a, address: '10.99.0.1/24' });
  new IpAddress(lab, 'server-ip', { device: link.b, address: '10.99.0.2/24' });
}

const app = new App();
build(new Lab(app, 'impaired'), { rate: '8mbit' });
build(new Lab(app, 'impaired-delay', { prefix: 'd-' }), { delay: '20ms', jitter: '5ms', loss: '1%' });
app.synth();
