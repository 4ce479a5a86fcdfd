/** The provider's new resources: Terraform objects <-> plan resources, checked like `nslab` checks them. */
import { fromResource, normalize } from '../../src/terraform/resources.js';
import type { ObjectValue } from '../../src/terraform/values.js';

const fw: ObjectValue = {
  id: null, namespace: 'r', name: 'fw', input: 'drop', forward: null, output: null,
  allow_established: null, allow_loopback: null, allow_port_forwards: null,
  rules: [{ hook: 'input', action: 'accept', protocol: 'tcp', port: '22', in_interface: 'lan0' }],
};

describe('netns_firewall, netns_masquerade, netns_port_forward and impair maps', () => {
  it('a firewall object becomes the plan resource and back, keeping its spelling', () => {
    const n = normalize('netns_firewall', fw);
    expect(n.problems).toEqual([]);
    expect(n.resource).toMatchObject({ type: 'firewall', name: 'fw', input: 'drop', forward: 'accept', allowEstablished: true, rules: [{ hook: 'input', action: 'accept', protocol: 'tcp', port: 22, inInterface: 'lan0' }] });
    expect(fromResource('netns_firewall', n.resource!, fw)).toEqual({
      id: 'r|fw', namespace: 'r', name: 'fw', input: 'drop', forward: 'accept', output: 'accept',
      allow_established: true, allow_loopback: true, allow_port_forwards: true,
      rules: [{ hook: 'input', action: 'accept', protocol: 'tcp', port: '22', in_interface: 'lan0' }],
    });
  });

  it('problems name the attribute', () => {
    const n = normalize('netns_port_forward', { id: null, namespace: 'r', name: 'web', in_interface: null, protocol: 'tcp', port: 8080, to: '10.0.0.2:http' });
    expect(n.problems).toEqual([{ message: 'to "10.0.0.2:http" must be "ADDR:PORT" or "ADDR" with an IPv4 address (e.g. "10.77.0.2:80")', attribute: 'to' }]);
    const v = normalize('netns_veth_link', { id: null, a_namespace: 'x', a_name: 'e0', a_master: null, a_mac: null, a_impair: { rate: '1mbps' }, b_namespace: 'y', b_name: 'e0', b_master: null, b_mac: null, b_impair: null, mtu: null, up: true });
    expect(v.problems.map((p) => p.attribute)).toEqual(['a_impair']);
    const ok = normalize('netns_veth_link', { id: null, a_namespace: 'x', a_name: 'e0', a_master: null, a_mac: null, a_impair: { rate: '8mbit', limit: '100' }, b_namespace: 'y', b_name: 'e0', b_master: null, b_mac: null, b_impair: null, mtu: null, up: true });
    expect(ok.resource).toMatchObject({ a: { impair: { rate: '8mbit', limit: 100 } } });
    expect(normalize('netns_masquerade', { id: null, namespace: 'r', name: 'm', source: '10.0.0.0/8', out_interface: 'wan0' }).resource)
      .toEqual({ type: 'masquerade', path: 'netns_masquerade', namespace: 'r', name: 'm', source: '10.0.0.0/8', outInterface: 'wan0' });
  });
});
