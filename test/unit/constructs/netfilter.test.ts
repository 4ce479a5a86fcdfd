import { App, Bridge, Firewall, IpAddress, Lab, Masquerade, NetNamespace, PortForward, VethLink } from '../../../constructs/index.js';
import { problemsOf, resourcesOf } from './helpers.js';

/** GIVEN a router between a LAN and a WAN namespace. */
function router(forwarding = true) {
  const app = new App();
  const lab = new Lab(app, 'nat');
  const r = new NetNamespace(lab, 'router', forwarding ? { sysctls: { 'net.ipv4.ip_forward': '1' } } : {});
  const c = new NetNamespace(lab, 'client');
  const inet = new NetNamespace(lab, 'inet');
  const lan = new VethLink(lab, 'lan', { a: { namespace: c, name: 'eth0' }, b: { namespace: r, name: 'lan0', impair: { rate: '8mbit' } } });
  const wan = new VethLink(lab, 'wan', { a: { namespace: r, name: 'wan0' }, b: { namespace: inet, name: 'eth0' } });
  new IpAddress(lab, 'c-ip', { device: lan.a, address: '10.77.0.2/24' });
  return { app, lab, r, c, inet, lan, wan };
}

describe('Masquerade, PortForward and Firewall', () => {
  it('synthesize to plan resources tagged by their path', () => {
    const { app, lab, r, lan, wan } = router();
    new Masquerade(lab, 'masq', { namespace: r, source: '10.77.0.0/24', outInterface: wan.a });
    new PortForward(lab, 'web', { namespace: r, inInterface: wan.a, protocol: 'tcp', port: 8080, to: '10.77.0.2:80' });
    new Firewall(lab, 'fw', { namespace: r, forward: 'drop', rules: [{ hook: 'forward', action: 'accept', inInterface: lan.b, outInterface: wan.a }] })
      .addRule({ hook: 'input', action: 'accept', protocol: 'tcp', port: 22, source: '10.77.0.0/24' });
    const res = resourcesOf(app);
    expect(res.masq).toEqual({ type: 'masquerade', path: 'nat/masq', name: 'masq', namespace: 'router', source: '10.77.0.0/24', outInterface: 'wan0' });
    expect(res.web).toEqual({ type: 'port-forward', path: 'nat/web', name: 'web', namespace: 'router', inInterface: 'wan0', protocol: 'tcp', port: 8080, to: '10.77.0.2:80' });
    expect(res.fw).toMatchObject({
      type: 'firewall', input: 'accept', forward: 'drop', output: 'accept', allowEstablished: true, allowLoopback: true, allowPortForwards: true,
      rules: [{ hook: 'forward', action: 'accept', inInterface: 'lan0', outInterface: 'wan0' }, { hook: 'input', action: 'accept', protocol: 'tcp', port: 22, source: '10.77.0.0/24' }],
    });
    expect(res.lan).toMatchObject({ b: { name: 'lan0', impair: { rate: '8mbit' } } });
  });

  it('report every problem with its construct path, before any change', () => {
    const { app, lab, r, c, lan, wan } = router(false);
    new Masquerade(lab, 'masq', { namespace: r, source: '10.77.0.1/24', outInterface: lan.a });
    new PortForward(lab, 'web', { namespace: r, inInterface: wan.a, protocol: 'sctp' as 'tcp', port: 70000, to: '10.77.0.2:http' });
    new PortForward(lab, 'web2', { namespace: r, protocol: 'udp', port: 53, to: '10.77.0.2' });
    new Firewall(lab, 'fw', { namespace: c, input: 'reject' as 'drop', rules: [{ hook: 'input', action: 'accept', port: 22, outInterface: lan.a }] });
    const br = new Bridge(lab, 'br', { namespace: c, impair: { rate: '1mbps' } });
    void br;
    expect(problemsOf(app)).toEqual([
      '[nat/masq] "outInterface" device "eth0" of "nat/lan" is in namespace "nat/client", not in namespace "nat/router"',
      '[nat/web] protocol "sctp" must be "tcp" or "udp"',
      '[nat/web] port 70000 is not a port number from 1 to 65535',
      '[nat/web] to "10.77.0.2:http" must be "ADDR:PORT" or "ADDR" with an IPv4 address (e.g. "10.77.0.2:80")',
      '[nat/fw] rule 1: a port needs protocol "tcp" or "udp"',
      '[nat/fw] rule 1: an input rule has no outInterface (packets for this namespace have not left yet)',
      '[nat/fw] input policy "reject" must be "accept" or "drop"',
      '[nat/br] impair: rate "1mbps": tc\'s "mbps" means megabytes per second; nslab takes rates in bits per second: write e.g. "8mbit"',
      '[nat/web2] a port forward in namespace "router", which does not forward: set sysctls: { \'net.ipv4.ip_forward\': \'1\' } on that namespace',
    ]);
  });

  it('allow one firewall per namespace, and interfaces only where the rules are', () => {
    const { app, lab, r, c } = router();
    new Firewall(lab, 'fw', { namespace: c });
    new Firewall(lab, 'fw2', { namespace: c });
    new Masquerade(lab, 'masq', { namespace: r, outInterface: c.loopback });
    expect(problemsOf(app)).toEqual([
      '[nat/masq] "outInterface" device "lo" of "nat/client" is in namespace "nat/client", not in namespace "nat/router"',
      '[nat/fw2] a firewall for namespace "client" is also declared by nat/fw',
    ]);
  });

  it('say when a masquerade sits in a namespace that does not forward', () => {
    const { app, lab, r, wan } = router(false);
    new Masquerade(lab, 'masq', { namespace: r, source: '10.77.0.0/24', outInterface: wan.a });
    expect(problemsOf(app)).toEqual([
      '[nat/masq] a masquerade in namespace "router", which does not forward: set sysctls: { \'net.ipv4.ip_forward\': \'1\' } on that namespace',
    ]);
  });
});
