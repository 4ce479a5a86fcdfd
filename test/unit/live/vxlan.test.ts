/**
 * Parsing vxlan devices from recorded `ip -d -j` output (test/fixtures/ns-vxlan.batch.txt: the
 * reader's `addr show` + `route show table all` in a namespace holding an IPv4 vxlan, marked, up,
 * MTU 1450, with an address, and an IPv6 vxlan on port 8472, down and unmarked).
 */
import { readFileSync } from 'node:fs';
import { parseLinks, splitBatchOutput } from '../../../src/engine/live/parse.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8');

describe('parsing recorded vxlan devices', () => {
  const [addrs] = splitBatchOutput(fixture('ns-vxlan.batch.txt'), 2);
  const links = parseLinks(addrs);

  it('reads an IPv4 vxlan with its VNI, addresses, port, MTU, marker, state and address', () => {
    expect(links.get('vx0')).toMatchObject({
      kind: 'vxlan', mtu: 1450, up: true, alias: 'nslab:vx',
      vxlan: { vni: 42, local: '127.0.0.1', remote: '127.0.0.2', port: 4789 },
    });
    expect(links.get('vx0')!.addresses.map((a) => a.address)).toContain('10.40.0.1/24');
  });

  it('reads an IPv6 vxlan from local6/remote6, in canonical form', () => {
    expect(links.get('vx6')).toMatchObject({ kind: 'vxlan', up: false, vxlan: { vni: 4242, local: '::1', remote: 'fd00::2', port: 8472 } });
    expect(links.get('vx6')!.alias).toBeUndefined();
  });

  it('gives no tunnel to links of other kinds', () => {
    expect(links.get('lo')!.vxlan).toBeUndefined();
    expect('vxlan' in links.get('lo')!).toBe(false);
  });

  it('reads a vxlan listed without -d (no linkinfo) as a link of no kind', () => {
    const plain = (JSON.parse(fixture('ns-vxlan.batch.txt').split('\n')[0]!) as Array<Record<string, unknown>>).map(({ linkinfo: _, ...rest }) => rest);
    expect(parseLinks(plain).get('vx0')).toMatchObject({ kind: undefined, mtu: 1450 });
    expect(parseLinks(plain).get('vx0')!.vxlan).toBeUndefined();
  });
});
