/**
 * The provider's wire formats without a server: msgpack values with unknowns, the AutoMTLS
 * certificate, the schema in its two forms, and Terraform objects <-> plan resources.
 */
import { X509Certificate } from 'node:crypto';
import { encode } from '@msgpack/msgpack';
import { selfSignedCert } from '../../src/terraform/cert.js';
import { UNKNOWN, conform, fromDynamic, toDynamic } from '../../src/terraform/values.js';
import { RESOURCES, getProviderSchemaResponse, providerSchemaJson } from '../../src/terraform/schema.js';
import { fromResource, idOf, normalize, parseImportId } from '../../src/terraform/resources.js';

describe('msgpack values', () => {
  it('encode unknown as extension type 0 with one zero byte, as Terraform does', () => {
    expect(Buffer.from(toDynamic(UNKNOWN).msgpack)).toEqual(Buffer.from([0xd4, 0x00, 0x00]));
  });

  it('decode any extension (a refined unknown is type 12) as unknown, and nested ones too', () => {
    const refined = Buffer.from([0x81, 0xa1, 0x78, 0xc7, 0x02, 0x0c, 0x81, 0x01]); // {x: ext12}
    expect(fromDynamic({ msgpack: refined })).toEqual({ x: UNKNOWN });
  });

  it('round-trip objects with sorted keys, null for absent values and maps of strings', () => {
    const v = { name: 'red', sysctls: { 'net.ipv4.ip_forward': '1' }, id: UNKNOWN, mtu: null };
    expect(fromDynamic(toDynamic(v))).toEqual(v);
    expect(fromDynamic({})).toBeNull();
  });

  it('conform objects to a schema: missing attributes are null, numbers sent as strings become numbers', () => {
    const raw = fromDynamic({ msgpack: encode({ name: 'br', mtu: '1500', stray: 1 }) });
    expect(conform(RESOURCES.netns_bridge.attributes, raw)).toEqual({ id: null, namespace: null, name: 'br', mtu: 1500, mac: null, up: null, impair: null });
  });
});

describe('the AutoMTLS certificate', () => {
  it('is a fresh self-signed CA certificate for localhost, usable by servers and clients', () => {
    const c = selfSignedCert();
    const x = new X509Certificate(c.certPem);
    expect(x.ca).toBe(true);
    expect(x.checkHost('localhost')).toBe('localhost');
    expect(x.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1');
    expect(x.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
    expect(x.verify(x.publicKey)).toBe(true);
    expect(x.raw).toEqual(c.der);
    expect(selfSignedCert().certPem).not.toBe(c.certPem);
  });
});

describe('the schema', () => {
  it('says the same in the protocol answer and in the JSON the bindings are generated from', () => {
    const proto = getProviderSchemaResponse();
    const json = providerSchemaJson() as { provider_schemas: Record<string, { resource_schemas: Record<string, { block: { attributes: Record<string, Record<string, unknown>> } }> }> };
    const fromJson = json.provider_schemas['registry.terraform.io/nslab/netns']!.resource_schemas;
    for (const [type, schema] of Object.entries(proto.resource_schemas as Record<string, { block: { attributes: Array<Record<string, unknown>> } }>)) {
      for (const a of schema.block.attributes) {
        const j = fromJson[type]!.block.attributes[a.name as string]!;
        expect([JSON.parse(Buffer.from(a.type as Buffer).toString()), a.required, a.optional, a.computed])
          .toEqual([j.type, j.required ?? false, j.optional ?? false, j.computed ?? false]);
      }
    }
  });

  it('gives every resource a computed id', () => {
    for (const r of Object.values(RESOURCES)) expect(r.attributes.id).toMatchObject({ computed: true, type: 'string' });
  });
});

describe('Terraform objects and plan resources', () => {
  const veth = { id: null, a_namespace: 'red', a_name: 'veth-red', a_master: null, a_mac: '02:AA:BB:CC:DD:EE', b_namespace: null, b_name: 'h0', b_master: 'br0', b_mac: null, mtu: 1400, up: null };

  it('normalize a valid object into the plan resource nslab apply would use', () => {
    expect(normalize('netns_veth_link', veth)).toEqual({
      problems: [],
      resource: {
        type: 'veth', path: 'netns_veth_link', mtu: 1400, up: true,
        a: { namespace: 'red', name: 'veth-red', master: undefined, mac: '02:aa:bb:cc:dd:ee' },
        b: { namespace: undefined, name: 'h0', master: 'br0', mac: undefined },
      },
    });
  });

  it('keep the user\'s spelling of a value that means the same, so Terraform sees no change', () => {
    const r = normalize('netns_veth_link', veth).resource!;
    expect(fromResource('netns_veth_link', r, veth)).toMatchObject({ a_mac: '02:AA:BB:CC:DD:EE', id: 'red|veth-red||h0' });
    const route = { id: null, namespace: 'red', destination: '0.0.0.0/0', via: '10.0.0.1', device: null, metric: null };
    const rr = normalize('netns_route', route).resource!;
    expect(fromResource('netns_route', rr, route)).toEqual({ ...route, id: 'red|default' });
  });

  it('name the attribute a problem is about', () => {
    expect(normalize('netns_veth_link', { ...veth, b_name: 'sixteen-bytes-xx', mtu: 1 }).problems).toEqual([
      { message: 'interface name "sixteen-bytes-xx" is 16 bytes; the kernel allows 15', attribute: 'b_name' },
      { message: 'MTU 1 is not an integer from 68 to 65535', attribute: 'mtu' },
    ]);
  });

  it('parse the documented import ids, an empty NS being the host', () => {
    expect(parseImportId('netns_ip_address', '|br0|10.0.0.1/24')).toMatchObject({ namespace: null, device: 'br0', address: '10.0.0.1/24' });
    expect(parseImportId('netns_veth_link', 'red|veth-red|blue|veth-blue')).toMatchObject({ a_namespace: 'red', b_name: 'veth-blue' });
    expect(parseImportId('netns_namespace', 'a|b')).toEqual({ message: 'import id "a|b" is not of the form NAME (an empty NS is the host namespace)' });
    const route = normalize('netns_route', { id: null, namespace: 'r', destination: '::/0', via: 'fd00::1', device: null, metric: null }).resource!;
    expect(idOf(route)).toBe('r|::/0');
  });
});
