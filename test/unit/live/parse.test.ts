import { readFileSync } from 'node:fs';
import { parseLinks, parseNetnsList, parseRoutes, parseSysctls, splitBatchOutput } from '../../../src/engine/live/parse.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8');

describe('parsing recorded ip -j output', () => {
  it('lists namespaces with and without an nsid', () => {
    expect(parseNetnsList(fixture('netns-list.json'))).toEqual(['red', 'blue']);
    expect(parseNetnsList('')).toEqual([]);
  });

  it('reads links with kind, marker, peer index and addresses from one batched read', () => {
    const [addrs] = splitBatchOutput(fixture('ns-red.batch.txt'), 2);
    const links = parseLinks(addrs);
    expect([...links.keys()]).toEqual(['lo', 'veth-red', 'eth1']);
    const veth = links.get('veth-red')!;
    expect(veth).toMatchObject({ kind: 'veth', alias: 'nslab:rb', up: true, mtu: 1400, peerIfindex: 2, peerNetnsid: expect.any(Number) });
    expect(veth.addresses.map((a) => a.address)).toEqual(expect.arrayContaining(['10.10.0.1/24']));
    expect(veth.addresses.find((a) => a.address.startsWith('fe80:'))?.scope).toBe('link');
    const lo = links.get('lo')!;
    expect(lo.kind).toBeUndefined();
    expect(lo.addresses.map((a) => a.address)).toEqual(['127.0.0.1/8', '::1/128']);
  });

  it('keeps main-table routes of both families and drops local-table ones', () => {
    const [, routes] = splitBatchOutput(fixture('ns-blue.batch.txt'), 2);
    const parsed = parseRoutes(routes);
    expect(parsed).toEqual(expect.arrayContaining([
      expect.objectContaining({ family: 6, destination: 'default', via: 'fd00::1', protocol: 'boot' }),
      expect.objectContaining({ family: 4, destination: '10.99.0.0/24', via: '10.88.0.1' }),
      expect.objectContaining({ family: 4, destination: '10.88.0.0/16', protocol: 'kernel' }),
      expect.objectContaining({ family: 6, destination: 'fd00::/64', protocol: 'kernel' }),
    ]));
    expect(parsed.some((r) => r.destination === 'ff00::/8')).toBe(false);
  });

  it('reads the route protocol nslab marks its routes with', () => {
    const [, routes] = splitBatchOutput(fixture('ns-red.batch.txt'), 2);
    expect(parseRoutes(routes)).toContainEqual(expect.objectContaining({ family: 4, destination: 'default', via: '10.10.0.2', protocol: '213' }));
  });

  it('reads a bridge port with its master from link output', () => {
    const port = parseLinks(JSON.parse(fixture('host-port.link.json'))).get('h1')!;
    expect(port).toMatchObject({ kind: 'veth', master: 'br0', up: true });
    const br = parseLinks(JSON.parse(fixture('host-bridge.link.json'))).get('br0')!;
    expect(br.kind).toBe('bridge');
  });

  it('rejects a batch output with a missing document', () => {
    expect(() => splitBatchOutput('[]\n', 2)).toThrow(/1 JSON documents, expected 2/);
  });

  it('parses sysctl key = value lines and skips unknown keys', () => {
    expect(parseSysctls('net.ipv4.ip_forward = 1\nnet.ipv4.conf.all.rp_filter = 2\n')).toEqual({ 'net.ipv4.ip_forward': '1', 'net.ipv4.conf.all.rp_filter': '2' });
  });
});

describe('a veth with both ends in one namespace', () => {
  it('resolves each end\'s peer by the name ip prints instead of an index', () => {
    const [addrs] = splitBatchOutput(fixture('same-ns-veth.batch.txt'), 2);
    const links = parseLinks(addrs);
    expect(links.get('va')!.peerIfindex).toBe(links.get('vb')!.ifindex);
    expect(links.get('vb')!.peerIfindex).toBe(links.get('va')!.ifindex);
  });
});
