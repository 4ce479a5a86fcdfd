/**
 * The provider over the wire, without Terraform: a client started it the way Terraform does
 * (cookie, client certificate), read the handshake, connected over mutual TLS and drives the
 * resource lifecycle with msgpack values, unknown values included, on the real kernel.
 */
import { spawnSync } from 'node:child_process';
import { encode } from '@msgpack/msgpack';
import { selfSignedCert } from '../../src/terraform/cert.js';
import { UNKNOWN, fromDynamic, toDynamic, type ObjectValue, type Value } from '../../src/terraform/values.js';
import { PROVIDER_MAIN, startProvider, type PluginClient } from './support/plugin-client.js';
import { describeKernel, ip, kernelFixture, namespacesWith, ping, tryIp } from '../support/kernel.js';

const dv = (v: Value) => toDynamic(v);
const state = (m: { msgpack?: Uint8Array } | undefined) => fromDynamic(m) as ObjectValue | null;
const replacePaths = (res: { requires_replace?: Array<{ steps: Array<{ attribute_name: string }> }> }) =>
  (res.requires_replace ?? []).map((p) => p.steps.map((s) => s.attribute_name).join('.'));
const errors = (res: { diagnostics?: Array<{ severity: string; summary: string; attribute?: { steps: Array<{ attribute_name: string }> } }> }) =>
  (res.diagnostics ?? []).filter((d) => d.severity === 'ERROR').map((d) => ({ summary: d.summary, attribute: d.attribute?.steps?.[0]?.attribute_name }));

describe('the provider executable outside Terraform', () => {
  it('says it is a plugin and exits 1 when started without the magic cookie', () => {
    const r = spawnSync(process.execPath, [PROVIDER_MAIN], { encoding: 'utf8', env: { ...process.env, TF_PLUGIN_MAGIC_COOKIE: '' } });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/This binary is a plugin/);
  });
});

describe('the plugin handshake and mutual TLS', () => {
  let client: PluginClient;
  beforeAll(async () => {
    client = await startProvider();
  });
  afterAll(async () => {
    await client?.shutdown();
  });

  it('announces protocol 6 over gRPC on a unix socket with a certificate for localhost', () => {
    expect(client.handshake).toMatchObject({ core: 1, app: 6, network: 'unix', protocol: 'grpc' });
    expect(client.handshake.serverCertPem).toMatch(/BEGIN CERTIFICATE/);
  });

  it('answers GetProviderSchema with every netns resource and the lab setting', async () => {
    const res = await client.call('GetProviderSchema');
    expect(Object.keys(res.resource_schemas).sort()).toEqual(['netns_bridge', 'netns_firewall', 'netns_ip_address', 'netns_masquerade', 'netns_namespace', 'netns_port_forward', 'netns_route', 'netns_sysctl', 'netns_veth_link', 'netns_vxlan']);
    const lab = res.provider.block.attributes.find((a: { name: string }) => a.name === 'lab');
    expect(Buffer.from(lab.type).toString()).toBe('"string"');
    expect(lab.optional).toBe(true);
  });

  it('refuses a client whose certificate PLUGIN_CLIENT_CERT did not sign', async () => {
    const trusted = selfSignedCert();
    const other = await startProvider({ trustedCert: trusted.certPem, clientCert: selfSignedCert() });
    try {
      await expect(other.call('GetProviderSchema')).rejects.toThrow(/UNAVAILABLE|handshake|certificate|Connection/i);
    } finally {
      other.process.kill('SIGKILL');
    }
  });

  it('exits when Terraform calls GRPCController.Shutdown', async () => {
    const other = await startProvider();
    expect(await other.shutdown()).toBe(0);
  });
});

describeKernel('the provider driving the kernel over the protocol', () => {
  const fx = kernelFixture();
  const P = fx.prefix;
  let client: PluginClient;
  beforeAll(async () => {
    // The fixture's state store: the provider records what it creates there, not in /var/lib/nslab.
    client = await startProvider({ env: { NSLAB_STATE_DIR: fx.stateDir } });
    expect(errors(await client.call('ConfigureProvider', { terraform_version: '1.11.4', config: dv({ lab: `${P}tf` }) }))).toEqual([]);
  });
  afterAll(async () => {
    await client?.shutdown();
  });

  const ns = (over: Partial<Record<string, Value>> = {}): ObjectValue => ({ id: null, name: `${P}a`, loopback_up: null, sysctls: null, ...over });
  const plan = (type: string, prior: Value, proposed: Value) =>
    client.call('PlanResourceChange', { type_name: type, prior_state: dv(prior), proposed_new_state: dv(proposed), config: dv(proposed) });
  const apply = (type: string, prior: Value, planned: Value) =>
    client.call('ApplyResourceChange', { type_name: type, prior_state: dv(prior), planned_state: dv(planned), config: dv(planned) });
  const read = (type: string, current: Value) => client.call('ReadResource', { type_name: type, current_state: dv(current) });
  let nsState: ObjectValue;

  it('plans a create with the id unknown and loopback_up defaulted, then creates the namespace', async () => {
    const p = await plan('netns_namespace', null, ns({ sysctls: { 'net.ipv4.ip_forward': '1' } }));
    expect(errors(p)).toEqual([]);
    const planned = state(p.planned_state)!;
    expect(planned).toEqual({ id: UNKNOWN, name: `${P}a`, loopback_up: true, sysctls: { 'net.ipv4.ip_forward': '1' } });
    // Terraform's own encoding of an unknown: msgpack fixext1, type 0, one zero byte.
    expect(Buffer.from(p.planned_state.msgpack).includes(Buffer.from([0xd4, 0x00, 0x00]))).toBe(true);
    const a = await apply('netns_namespace', null, planned);
    expect(errors(a)).toEqual([]);
    nsState = state(a.new_state)!;
    expect(nsState).toEqual({ id: `${P}a`, name: `${P}a`, loopback_up: true, sysctls: { 'net.ipv4.ip_forward': '1' } });
    expect(namespacesWith(P)).toEqual([`${P}a`]);
    expect(ip('netns', 'exec', `${P}a`, 'sysctl', '-n', 'net.ipv4.ip_forward').trim()).toBe('1');
  });

  it('reads an unchanged object back as it is, and plans no change for the same configuration', async () => {
    expect(state((await read('netns_namespace', nsState)).new_state)).toEqual(nsState);
    const p = await plan('netns_namespace', nsState, { ...nsState });
    expect(state(p.planned_state)).toEqual(nsState);
    expect(replacePaths(p)).toEqual([]);
  });

  it('reads live values changed out of band, so Terraform sees the drift', async () => {
    ip('-n', `${P}a`, 'link', 'set', 'lo', 'down');
    expect(state((await read('netns_namespace', nsState)).new_state)).toEqual({ ...nsState, loopback_up: false });
    ip('-n', `${P}a`, 'link', 'set', 'lo', 'up');
  });

  it('updates a sysctl in place: no replacement, same namespace', async () => {
    const wanted = { ...nsState, sysctls: { 'net.ipv4.ip_forward': '0' } };
    const p = await plan('netns_namespace', nsState, wanted);
    expect(replacePaths(p)).toEqual([]);
    expect(state(p.planned_state)!.id).toBe(`${P}a`);
    const a = await apply('netns_namespace', nsState, state(p.planned_state));
    expect(errors(a)).toEqual([]);
    nsState = state(a.new_state)!;
    expect(ip('netns', 'exec', `${P}a`, 'sysctl', '-n', 'net.ipv4.ip_forward').trim()).toBe('0');
  });

  it('asks for replacement when the name changes, with the new id unknown', async () => {
    const p = await plan('netns_namespace', nsState, { ...nsState, name: `${P}b` });
    expect(replacePaths(p)).toEqual(['name']);
    expect(state(p.planned_state)!.id).toBe(UNKNOWN);
  });

  let link: ObjectValue;
  let addr: ObjectValue;
  it('carries unknown configuration values through the plan and creates a veth and an address', async () => {
    const hostEnd = `${P}h0`;
    const proposed: ObjectValue = {
      id: null, a_namespace: UNKNOWN, a_name: 'eth0', a_master: null, a_mac: null,
      b_namespace: null, b_name: hostEnd, b_master: null, b_mac: null, mtu: 1400, up: null,
    };
    const p1 = await plan('netns_veth_link', null, proposed);
    expect(errors(p1)).toEqual([]);
    expect(state(p1.planned_state)).toMatchObject({ a_namespace: UNKNOWN, id: UNKNOWN, up: true, mtu: 1400 });
    const known = { ...proposed, a_namespace: `${P}a` };
    const planned = state((await plan('netns_veth_link', null, known)).planned_state);
    const a = await apply('netns_veth_link', null, planned);
    expect(errors(a)).toEqual([]);
    link = state(a.new_state)!;
    expect(link.id).toBe(`${P}a|eth0||${hostEnd}`);
    const address: ObjectValue = { id: null, namespace: `${P}a`, device: 'eth0', address: '10.77.0.1/24' };
    const pa = await plan('netns_ip_address', null, address);
    const aa = await apply('netns_ip_address', null, state(pa.planned_state));
    expect(errors(aa)).toEqual([]);
    addr = state(aa.new_state)!;
    const host = await apply('netns_ip_address', null, { id: UNKNOWN, namespace: null, device: hostEnd, address: '10.77.0.2/24' });
    expect(errors(host)).toEqual([]);
    expect(ping(`${P}a`, '10.77.0.2')).toBe(true);
    expect(errors(await apply('netns_ip_address', state(host.new_state), null))).toEqual([]);
  });

  it('reads an address removed out of band as gone (nil state)', async () => {
    ip('-n', `${P}a`, 'addr', 'flush', 'dev', 'eth0');
    expect(state((await read('netns_ip_address', addr)).new_state)).toBeNull();
    expect(errors(await apply('netns_ip_address', null, addr))).toEqual([]);
    expect(state((await read('netns_ip_address', addr)).new_state)).toEqual(addr);
  });

  it('changes a veth MTU in place, keeping the interface', async () => {
    const ifindex = () => JSON.parse(ip('-n', `${P}a`, '-j', 'link', 'show', 'eth0'))[0].ifindex;
    const before = ifindex();
    const p = await plan('netns_veth_link', link, { ...link, mtu: 1300 });
    expect(replacePaths(p)).toEqual([]);
    const a = await apply('netns_veth_link', link, state(p.planned_state));
    expect(errors(a)).toEqual([]);
    link = state(a.new_state)!;
    expect(ifindex()).toBe(before);
    expect(JSON.parse(ip('-n', `${P}a`, '-j', 'link', 'show', 'eth0'))[0].mtu).toBe(1300);
  });

  it('imports an existing namespace and an address by their documented ids', async () => {
    const ins = await client.call('ImportResourceState', { type_name: 'netns_namespace', id: `${P}a` });
    expect(errors(ins)).toEqual([]);
    expect(state(ins.imported_resources[0].state)).toEqual({ id: `${P}a`, name: `${P}a`, loopback_up: true, sysctls: null });
    const ia = await client.call('ImportResourceState', { type_name: 'netns_ip_address', id: `${P}a|eth0|10.77.0.1/24` });
    expect(state(ia.imported_resources[0].state)).toEqual(addr);
    const missing = await client.call('ImportResourceState', { type_name: 'netns_ip_address', id: `${P}a|eth0|10.99.0.1/24` });
    expect(errors(missing)[0]!.summary).toMatch(/does not exist/);
  });

  it('refuses to import or create over a namespace another lab owns', async () => {
    ip('netns', 'add', `${P}f`);
    ip('-n', `${P}f`, 'link', 'set', 'lo', 'alias', 'nslab:someone-else');
    const imp = await client.call('ImportResourceState', { type_name: 'netns_namespace', id: `${P}f` });
    expect(errors(imp)[0]!.summary).toMatch(/cannot import/);
    const p = await plan('netns_namespace', null, ns({ name: `${P}f` }));
    expect(errors(p)[0]!.summary).toMatch(/owned by nslab lab "someone-else"/);
    expect(tryIp('netns', 'del', `${P}f`).ok).toBe(true);
  });

  it('returns diagnostics that name the attribute for invalid values', async () => {
    const bad = await client.call('ValidateResourceConfig', {
      type_name: 'netns_bridge', config: dv({ id: null, namespace: null, name: 'a-name-far-too-long', mtu: 12, mac: 'zz', up: null }),
    });
    expect(errors(bad)).toEqual([
      { summary: 'interface name "a-name-far-too-long" is 19 bytes; the kernel allows 15', attribute: 'name' },
      { summary: 'MTU 12 is not an integer from 68 to 65535', attribute: 'mtu' },
      { summary: 'MAC address "zz" is not of the form aa:bb:cc:dd:ee:ff', attribute: 'mac' },
    ]);
    const cidr = await client.call('ValidateResourceConfig', {
      type_name: 'netns_ip_address', config: dv({ id: null, namespace: UNKNOWN, device: 'eth0', address: '10.0.0.300/24' }),
    });
    expect(errors(cidr)).toEqual([{ summary: 'address "10.0.0.300/24" is not an IPv4 or IPv6 CIDR (e.g. 10.0.0.1/24)', attribute: 'address' }]);
    const route = await client.call('ValidateResourceConfig', {
      type_name: 'netns_route', config: dv({ id: null, namespace: null, destination: 'default', via: '10.0.0.1', device: null, metric: null }),
    });
    expect(errors(route)).toEqual([expect.objectContaining({ attribute: 'destination' })]);
  });

  it('accepts a configuration whose only questionable values are still unknown', async () => {
    const res = await client.call('ValidateResourceConfig', {
      type_name: 'netns_route', config: dv({ id: null, namespace: UNKNOWN, destination: 'fd00:1::/64', via: UNKNOWN, device: null, metric: null }),
    });
    expect(errors(res)).toEqual([]);
  });

  it('decodes numbers sent as decimal strings and JSON values, and upgrades JSON state', async () => {
    const raw = Buffer.from(encode({ id: null, namespace: null, name: `${P}x`, mtu: '1500', mac: null, up: true }));
    const v = await client.call('ValidateResourceConfig', { type_name: 'netns_bridge', config: { msgpack: raw } });
    expect(errors(v)).toEqual([]);
    const json = Buffer.from(JSON.stringify({ id: null, namespace: null, name: `${P}x`, mtu: 9, mac: null, up: true }));
    const j = await client.call('ValidateResourceConfig', { type_name: 'netns_bridge', config: { json } });
    expect(errors(j)).toEqual([{ summary: 'MTU 9 is not an integer from 68 to 65535', attribute: 'mtu' }]);
    const up = await client.call('UpgradeResourceState', { type_name: 'netns_namespace', version: 0, raw_state: { json: Buffer.from(JSON.stringify({ id: 'x', name: 'x', loopback_up: true, extra: 1 })) } });
    expect(state(up.upgraded_state)).toEqual({ id: 'x', name: 'x', loopback_up: true, sysctls: null });
  });

  it('deletes with a nil planned state and answers a nil new state; nothing of the lab is left', async () => {
    for (const [type, s] of [['netns_ip_address', addr], ['netns_veth_link', link], ['netns_namespace', nsState]] as const) {
      const a = await apply(type, s, null);
      expect(errors(a)).toEqual([]);
      expect(state(a.new_state)).toBeNull();
    }
    expect(namespacesWith(P)).toEqual([]);
    expect(tryIp('link', 'show', `${P}h0`).ok).toBe(false);
    expect(state((await read('netns_namespace', nsState)).new_state)).toBeNull();
  });
});
