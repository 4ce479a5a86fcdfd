/**
 * The diff of masquerades, port forwards and firewalls against the lab's nftables table. Pure.
 *
 * Each resource's rules carry its tag (comment); the rules found under a resource's tag are read
 * back into the resource's fields (nft-rules.ts), so a plan shows which field differs and a
 * rollback can put the old value back. Rules under the tag that are not of the form nslab writes
 * make the resource "changed out of band": it is written again.
 */
import { loc, stableStringify, type Resource } from '../../plan/types.js';
import type { FirewallResource, FirewallRule, Hook, NetfilterResource } from '../../plan/netfilter.js';
import {
  ESTABLISHED, LOOPBACK, NFT_FAMILY, PUBLISHED, masqueradeFromText, portForwardFromText, ruleFromText, tableName, tagOf,
} from '../../plan/nft-rules.js';
import type { LiveState } from '../live/read.js';
import type { LiveTable } from '../live/nft.js';
import { fieldDiff } from './fields.js';
import type { Change, FieldChange } from './change.js';

export type LiveNetfilter =
  | { readonly state: 'absent' }
  | { readonly state: 'garbled' }
  | { readonly state: 'present'; readonly resource: NetfilterResource };

/** The lab's table in the location of `r`, as read (undefined: none, or not read). */
export function liveTable(owner: string, live: LiveState, namespace: string | undefined): LiveTable | undefined {
  return live.locations.get(loc(namespace))?.nft?.get(`${NFT_FAMILY} ${tableName(owner)}`);
}

/** What the kernel has of a netfilter resource: nothing, something nslab did not write, or its fields. */
export function liveNetfilter(owner: string, r: NetfilterResource, live: LiveState): LiveNetfilter {
  const table = liveTable(owner, live, r.namespace);
  if (!table) return { state: 'absent' };
  const tag = tagOf(r);
  const tagged = (chain: string) => table.chains.get(chain)?.rules.filter((x) => x.comment === tag) ?? [];
  if (r.type === 'masquerade' || r.type === 'port-forward') {
    const rules = tagged(r.type === 'masquerade' ? 'postrouting' : 'prerouting');
    if (rules.length === 0) return { state: 'absent' };
    const fields = rules.length === 1 ? (r.type === 'masquerade' ? masqueradeFromText(rules[0]!.text) : portForwardFromText(rules[0]!.text)) : undefined;
    if (!fields) return { state: 'garbled' };
    const base = { type: r.type, path: r.path, name: r.name, ...(r.namespace !== undefined ? { namespace: r.namespace } : {}) };
    return { state: 'present', resource: { ...base, ...fields } as NetfilterResource };
  }
  return liveFirewall(table, r, tagged);
}

function liveFirewall(table: LiveTable, r: FirewallResource, tagged: (chain: string) => Array<{ text: string }>): LiveNetfilter {
  const hooks = ['input', 'forward', 'output'] as const;
  if (!hooks.some((h) => table.chains.has(h))) return { state: 'absent' };
  const texts = Object.fromEntries(hooks.map((h) => [h, tagged(h).map((x) => x.text)])) as Record<Hook, string[]>;
  const leading = (h: Hook, text: string) => texts[h][0] === text && (texts[h].shift(), true);
  const est = hooks.map((h) => leading(h, ESTABLISHED));
  const allowLoopback = leading('input', LOOPBACK);
  const allowPortForwards = leading('forward', PUBLISHED);
  const rules: FirewallRule[] = [];
  for (const h of hooks) {
    for (const t of texts[h]) {
      const x = ruleFromText(h, t);
      if (!x) return { state: 'garbled' };
      rules.push(x);
    }
  }
  // Rules are ordered per hook; the declared order across hooks does not matter to the kernel.
  const order = (xs: readonly FirewallRule[]) => hooks.flatMap((h) => xs.filter((x) => x.hook === h));
  const policy = (h: Hook) => (table.chains.get(h)?.policy === 'drop' ? 'drop' : 'accept');
  const resource: FirewallResource = {
    type: 'firewall', path: r.path, name: r.name, ...(r.namespace !== undefined ? { namespace: r.namespace } : {}),
    input: policy('input'), forward: policy('forward'), output: policy('output'),
    allowEstablished: est.every(Boolean), allowLoopback, allowPortForwards, rules: order(rules),
  };
  return { state: 'present', resource };
}

/** A firewall's rules in kernel order (grouped by hook), for comparisons. */
export function kernelOrder(r: Resource): Resource {
  if (r.type !== 'firewall') return r;
  return { ...r, rules: (['input', 'forward', 'output'] as const).flatMap((h) => r.rules.filter((x) => x.hook === h)) };
}

/** The fields in which the live form of a resource differs from the declared one. */
export function netfilterFields(live: NetfilterResource, want: NetfilterResource): FieldChange[] {
  const sorted = <T>(x: T): T => JSON.parse(stableStringify(x)) as T;
  return fieldDiff(sorted(live), sorted(kernelOrder(want)));
}

/** The change a netfilter resource needs, if any. `created`: its namespace is created by this plan. */
export function netfilterChange(id: string, r: NetfilterResource, owner: string, live: LiveState, created: boolean, missing: string): Change | undefined {
  const base = { id, type: r.type, path: r.path, desired: r };
  if (created) return { ...base, action: 'create', fields: [], reason: 'its namespace is created' };
  const found = liveNetfilter(owner, r, live);
  if (found.state === 'absent') return { ...base, action: 'create', fields: [], reason: missing };
  if (found.state === 'garbled') return { ...base, action: 'replace', prior: r, fields: [], reason: 'its nftables rules were changed out of band' };
  const fields = netfilterFields(found.resource, r);
  return fields.length ? { ...base, action: 'update', fields, reason: 'differs from the kernel' } : undefined;
}
