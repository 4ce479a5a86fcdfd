/**
 * The lab's nftables table and the rules each netfilter resource puts in it, as nft text in the
 * canonical form `nft` itself prints (so the text read back from the kernel compares equal), and
 * back from that text to resource fields. Pure.
 *
 * One table per lab and location, family `inet` (so a firewall filters IPv6 too), named after
 * the lab's owner key: `nslab_<key>` (characters nft does not take in a name become `_`, with a
 * hash of the key appended when that happened other than at the store's `@`). Chains:
 * `prerouting` (nat, dstnat: port forwards), `postrouting` (nat, srcnat: masquerades),
 * `input`, `forward`, `output` (filter, priority filter: the firewall). Every rule carries the
 * comment `<type>:<name>` of the resource that declares it.
 */
import { createHash } from 'node:crypto';
import type { FirewallResource, FirewallRule, Hook, MasqueradeResource, NetfilterResource, PortForwardResource } from './netfilter.js';

export const NFT_FAMILY = 'inet';

/** The table name of a lab (its owner key, as in its kernel markers). */
export function tableName(owner: string): string {
  const [key, store] = owner.split('@') as [string, string | undefined];
  const safe = key.replace(/[^A-Za-z0-9_]/gu, '_');
  const lossy = safe !== key ? `_${createHash('sha256').update(key).digest('hex').slice(0, 6)}` : '';
  return `nslab_${safe}${lossy}${store ? `_${store}` : ''}`;
}

export type ChainName = 'prerouting' | 'postrouting' | Hook;

/** How each chain is declared: `type nat hook prerouting priority dstnat`. */
export const CHAINS: Record<ChainName, { type: 'nat' | 'filter'; prio: string; prioNumber: number }> = {
  prerouting: { type: 'nat', prio: 'dstnat', prioNumber: -100 },
  postrouting: { type: 'nat', prio: 'srcnat', prioNumber: 100 },
  input: { type: 'filter', prio: 'filter', prioNumber: 0 },
  forward: { type: 'filter', prio: 'filter', prioNumber: 0 },
  output: { type: 'filter', prio: 'filter', prioNumber: 0 },
};
export const CHAIN_ORDER: ChainName[] = ['prerouting', 'postrouting', 'input', 'forward', 'output'];

/** The comment on every rule of a resource. */
export const tagOf = (r: Pick<NetfilterResource, 'type' | 'name'>): string => `${r.type}:${r.name}`;

export const ESTABLISHED = 'ct state established,related accept';
export const LOOPBACK = 'iifname "lo" accept';
export const PUBLISHED = 'ct status dnat accept';

const addr = (prefix: string) => `${prefix.includes(':') ? 'ip6' : 'ip'}`;

/** One firewall rule as nft prints it (`meta l4proto` is implied by a port match and not printed). */
export function ruleText(x: FirewallRule): string {
  const w: string[] = [];
  if (x.inInterface !== undefined) w.push(`iifname "${x.inInterface}"`);
  if (x.outInterface !== undefined) w.push(`oifname "${x.outInterface}"`);
  if (x.source !== undefined) w.push(`${addr(x.source)} saddr ${x.source}`);
  if (x.destination !== undefined) w.push(`${addr(x.destination)} daddr ${x.destination}`);
  if (x.port !== undefined) w.push(`${x.protocol} dport ${x.port}`);
  else if (x.protocol !== undefined) w.push(`meta l4proto ${x.protocol === 'icmpv6' ? 'ipv6-icmp' : x.protocol}`);
  w.push(x.action);
  return w.join(' ');
}

/** The rule a ruleText made, or undefined when `text` is not of that form. */
export function ruleFromText(hook: Hook, text: string): FirewallRule | undefined {
  const re = /^(?:iifname "([^"]+)" )?(?:oifname "([^"]+)" )?(?:(ip6?) saddr (\S+) )?(?:(ip6?) daddr (\S+) )?(?:(tcp|udp) dport (\d+(?:-\d+)?) |meta l4proto (tcp|udp|icmp|ipv6-icmp) )?(accept|drop|reject)$/u;
  const m = re.exec(text);
  if (!m) return undefined;
  const port = m[8] === undefined ? undefined : /-/u.test(m[8]) ? m[8] : Number(m[8]);
  const protocol = (m[7] ?? (m[9] === 'ipv6-icmp' ? 'icmpv6' : m[9])) as FirewallRule['protocol'];
  const out = { hook, action: m[10], source: m[4], destination: m[6], inInterface: m[1], outInterface: m[2], protocol, port };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as unknown as FirewallRule;
}

export const masqueradeText = (r: MasqueradeResource): string => `oifname "${r.outInterface}"${r.source ? ` ip saddr ${r.source}` : ''} masquerade`;
export const portForwardText = (r: PortForwardResource): string => `${r.inInterface ? `iifname "${r.inInterface}" ` : ''}${r.protocol} dport ${r.port} dnat ip to ${r.to}`;

/** Fields of a masquerade from its rule text, or undefined. */
export function masqueradeFromText(text: string): Pick<MasqueradeResource, 'outInterface' | 'source'> | undefined {
  const m = /^oifname "([^"]+)"(?: ip saddr (\S+))? masquerade$/u.exec(text);
  return m ? { outInterface: m[1]!, ...(m[2] ? { source: m[2] } : {}) } : undefined;
}

/** Fields of a port forward from its rule text, or undefined. */
export function portForwardFromText(text: string): Pick<PortForwardResource, 'inInterface' | 'protocol' | 'port' | 'to'> | undefined {
  const m = /^(?:iifname "([^"]+)" )?(tcp|udp) dport (\d+) dnat ip to (\S+)$/u.exec(text);
  return m ? { ...(m[1] ? { inInterface: m[1] } : {}), protocol: m[2] as 'tcp', port: Number(m[3]), to: m[4]! } : undefined;
}

/** The rules a resource puts in each chain, in order (texts without the comment). */
export function rulesOf(r: NetfilterResource): Partial<Record<ChainName, string[]>> {
  switch (r.type) {
    case 'masquerade':
      return { postrouting: [masqueradeText(r)] };
    case 'port-forward':
      return { prerouting: [portForwardText(r)] };
    case 'firewall':
      return firewallRules(r);
  }
}

function firewallRules(r: FirewallResource): Record<Hook, string[]> {
  const out: Record<Hook, string[]> = { input: [], forward: [], output: [] };
  for (const h of ['input', 'forward', 'output'] as const) {
    if (r.allowEstablished) out[h].push(ESTABLISHED);
    if (h === 'input' && r.allowLoopback) out[h].push(LOOPBACK);
    if (h === 'forward' && r.allowPortForwards) out[h].push(PUBLISHED);
  }
  for (const x of r.rules) out[x.hook].push(ruleText(x));
  return out;
}

/** nft's double-quoted string (names and tags never hold quotes or backslashes: validation). */
export const quote = (s: string): string => `"${s}"`;
