/**
 * Changes -> one `nft -f -` script per location whose netfilter resources change. Pure.
 *
 * The script replaces the lab's table in one transaction: it declares the table (so that the
 * delete finds it), deletes it, and declares it again with every chain and rule it must hold;
 * nft applies the whole file or nothing. What the table must hold is what it holds now (the
 * rules under each tag, read back) with the changed resources' rules taken out and put in anew.
 * Rules without an nslab tag are not kept. When nothing is left, the table is deleted.
 */
import { HOST, loc, type Location } from '../../plan/types.js';
import { isNetfilter, type FirewallResource } from '../../plan/netfilter.js';
import { CHAINS, CHAIN_ORDER, NFT_FAMILY, quote, rulesOf, tableName, tagOf, type ChainName } from '../../plan/nft-rules.js';
import { ownerMarker } from '../../plan/types.js';
import type { Change } from '../diff/diff.js';
import type { LiveState } from '../live/read.js';
import { liveTable } from '../diff/nft.js';

export interface NftScript {
  readonly location: Location;
  readonly text: string;
}

type Groups = Map<string, Partial<Record<ChainName, string[]>>>;

export function nftScripts(owner: string, changes: readonly Change[], live: LiveState): NftScript[] {
  const gone = new Set(changes.filter((c) => c.type === 'namespace' && c.action === 'delete').map((c) => (c.prior as { name: string }).name));
  const byLoc = new Map<Location, Change[]>();
  for (const c of changes) {
    const r = c.desired ?? c.prior;
    if (!r || !isNetfilter(r)) continue;
    const l = loc(r.namespace);
    if (l !== HOST && gone.has(l)) continue;
    byLoc.set(l, [...(byLoc.get(l) ?? []), c]);
  }
  const out: NftScript[] = [];
  for (const [l, cs] of byLoc) {
    const table = liveTable(owner, live, l === HOST ? undefined : l);
    // What the table holds now, by tag.
    const groups: Groups = new Map();
    for (const chain of CHAIN_ORDER) {
      for (const rule of table?.chains.get(chain)?.rules ?? []) {
        if (!rule.ok || rule.comment === undefined) continue;
        const g = groups.get(rule.comment) ?? groups.set(rule.comment, {}).get(rule.comment)!;
        (g[chain] ??= []).push(rule.text);
      }
    }
    const policies: Partial<Record<ChainName, string>> = {};
    let firewall = ['input', 'forward', 'output'].some((h) => table?.chains.has(h));
    for (const h of ['input', 'forward', 'output'] as const) policies[h] = table?.chains.get(h)?.policy ?? 'accept';
    for (const c of cs) {
      if (c.prior && isNetfilter(c.prior)) {
        groups.delete(tagOf(c.prior));
        if (c.prior.type === 'firewall' && c.action === 'delete') firewall = false;
      }
      const d = c.action === 'delete' ? undefined : c.desired;
      if (!d || !isNetfilter(d)) continue;
      groups.set(tagOf(d), rulesOf(d));
      if (d.type === 'firewall') {
        firewall = true;
        for (const h of ['input', 'forward', 'output'] as const) policies[h] = (d as FirewallResource)[h];
      }
    }
    const name = `${NFT_FAMILY} ${tableName(owner)}`;
    const chains: string[] = [];
    for (const chain of CHAIN_ORDER) {
      const rules = [...groups].sort(([a], [b]) => a.localeCompare(b)).flatMap(([tag, g]) => (g[chain] ?? []).map((t) => `\t\t${t} comment ${quote(tag)}`));
      const filter = CHAINS[chain].type === 'filter';
      if (rules.length === 0 && !(filter && firewall)) continue;
      const policy = filter ? policies[chain] ?? 'accept' : 'accept';
      chains.push(`\tchain ${chain} {\n\t\ttype ${CHAINS[chain].type} hook ${chain} priority ${CHAINS[chain].prio}; policy ${policy};\n${rules.map((r) => `${r}\n`).join('')}\t}`);
    }
    if (chains.length === 0) {
      if (table) out.push({ location: l, text: `delete table ${name}\n` });
      continue;
    }
    const comment = `comment ${quote(ownerMarker(owner))}`;
    out.push({ location: l, text: `table ${name} { ${comment}; }\ndelete table ${name}\ntable ${name} {\n\t${comment}\n${chains.join('\n')}\n}\n` });
  }
  return out;
}
