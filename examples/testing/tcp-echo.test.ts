// A lab as a test fixture: a TCP echo server in one namespace, a client in another.
// Run with `npm test` (as root; skipped with the reason printed otherwise).
import { IpAddress, NetNamespace, VethLink, type Lab } from 'nslab';
import { labsUnavailable, withLab } from 'nslab/testing';

/** server (10.40.0.1) and client (10.40.0.2) on one veth cable. */
function serverAndClient(lab: Lab): void {
  const server = new NetNamespace(lab, 'server');
  const client = new NetNamespace(lab, 'client');
  const cable = new VethLink(lab, 'cable', { a: { namespace: server, name: 'eth0' }, b: { namespace: client, name: 'eth0' } });
  new IpAddress(lab, 'server-ip', { device: cable.a, address: '10.40.0.1/24' });
  new IpAddress(lab, 'client-ip', { device: cable.b, address: '10.40.0.2/24' });
}

// Small node programs, run inside the namespaces with the same node binary as the test.
const echoServer = `
  require('node:net').createServer((s) => s.on('data', (d) => s.end('echo ' + d)))
    .listen(7000, '10.40.0.1', () => console.log('listening'));`;
const client = `
  const s = require('node:net').connect(7000, '10.40.0.1', () => s.write(process.argv[1]));
  s.on('data', (d) => process.stdout.write(d));`;

const unavailable = labsUnavailable();
if (unavailable) console.log(`skipping the TCP example: ${unavailable}`);

(unavailable ? describe.skip : describe)('a TCP exchange between two namespaces', () => {
  it('the client gets its message back from the server, across the lab', () =>
    withLab(serverAndClient, async (lab) => {
      const server = lab.namespace('server').spawn([process.execPath, '-e', echoServer]);
      await server.waitFor('listening');

      const reply = await lab.namespace('client').exec([process.execPath, '-e', client, 'hello'], { timeoutMs: 5000 });
      expect(reply).toMatchObject({ code: 0, stdout: 'echo hello' });
      await lab.expectReachable('client', 'server'); // and plain ping works too
    })); // the server process and the lab are gone here, pass or fail
});
