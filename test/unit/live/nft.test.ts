/**
 * nftables on recorded output: test/fixtures/nft-ruleset.json is what `nft -j list ruleset`
 * (nft 1.0.6) printed after nslab wrote the table of test/fixtures/nft-plan.json.
 */
import { readFileSync } from 'node:fs';
import { parseRuleset } from '../../../src/engine/live/nft.js';
import { normalizeResource } from '../../../src/plan/validate.js';
import { isNetfilter, type FirewallResource, type NetfilterResource } from '../../../src/plan/netfilter.js';
import { ruleFromText, ruleText, tableName } from '../../../src/plan/nft-rules.js';
import { liveNetfilter, netfilterFields } from '../../../src/engine/diff/nft.js';
import { nftScripts } from '../../../src/engine/apply/nft.js';
import type { LiveState } from '../../../src/engine/live/read.js';
import type { Change } from '../../../src/engine/diff/diff.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8');
const declared: Record<string, NetfilterResource> = Object.fromEntries(Object.entries(JSON.parse(fixture('nft-plan.json')).resources as Record<string, unknown>).map(([id, raw]) => {
  const problems: string[] = [];
  const r = normalizeResource(id, raw, problems);
  if (!r || !isNetfilter(r)) throw new Error(problems.join('\n'));
  return [id, r];
}));
const stateWith = (text: string): LiveState => ({ namespaces: new Set(), locations: new Map([['', { links: new Map(), routes: [], sysctls: {}, nft: parseRuleset(text) }]]) });
const recorded = () => stateWith(fixture('nft-ruleset.json'));

describe('the lab table read back from nft -j', () => {
  it('keeps only nslab tables, with chains, policies and every rule as nft prints it', () => {
    const doc = JSON.parse(fixture('nft-ruleset.json'));
    doc.nftables.push({ table: { family: 'ip', name: 'docker-bridges', handle: 9 } });
    const tables = parseRuleset(JSON.stringify(doc));
    expect([...tables.keys()]).toEqual(['inet nslab_fixture']);
    const t = tables.get('inet nslab_fixture')!;
    expect([...t.chains.keys()]).toEqual(['prerouting', 'postrouting', 'input', 'forward', 'output']);
    expect(t.chains.get('input')).toMatchObject({ type: 'filter', hook: 'input', prio: 0, policy: 'drop' });
    expect(t.chains.get('postrouting')!.rules).toEqual([
      { text: 'oifname "wan0" ip saddr 10.77.0.0/24 masquerade', comment: 'masquerade:masq', ok: true },
      { text: 'oifname "wan1" masquerade', comment: 'masquerade:masq-all', ok: true },
    ]);
  });

  it.each(Object.keys(declared))('reads %s back exactly as declared (no change planned)', (id) => {
    const live = liveNetfilter('fixture', declared[id]!, recorded());
    expect(live.state).toBe('present');
    expect(netfilterFields((live as { resource: NetfilterResource }).resource, declared[id]!)).toEqual([]);
  });

  it('a flushed table: the NAT rules are missing and the firewall differs in its allowances and rules', () => {
    const doc = JSON.parse(fixture('nft-ruleset.json'));
    doc.nftables = doc.nftables.filter((x: Record<string, unknown>) => !x.rule);
    const live = stateWith(JSON.stringify(doc));
    expect(liveNetfilter('fixture', declared.masq!, live).state).toBe('absent');
    const fw = liveNetfilter('fixture', declared.fw!, live) as { resource: NetfilterResource };
    expect(netfilterFields(fw.resource, declared.fw!).map((f) => f.field)).toEqual(['allowEstablished', 'allowLoopback', 'allowPortForwards', 'rules']);
  });

  it('a changed address and a rule nslab does not write are told apart', () => {
    const text = fixture('nft-ruleset.json').replace('"addr": "10.77.0.2", "port": 80', '"addr": "10.77.0.9", "port": 80')
      .replace('{"masquerade": null}', '{"counter": {"packets": 0, "bytes": 0}}, {"masquerade": null}');
    const web = liveNetfilter('fixture', declared.web!, stateWith(text)) as { resource: NetfilterResource };
    expect(netfilterFields(web.resource, declared.web!)).toEqual([{ field: 'to', from: '10.77.0.9:80', to: '10.77.0.2:80' }]);
    expect(liveNetfilter('fixture', declared.masq!, stateWith(text)).state).toBe('garbled');
  });
});

describe('firewall rule texts', () => {
  it('round-trip every form of match', () => {
    for (const r of (declared.fw as FirewallResource).rules) expect(ruleFromText(r.hook, ruleText(r))).toEqual(r);
  });
});

describe('table names', () => {
  it('name the owner plainly, with a hash only when a character had to be replaced, and the store', () => {
    expect(tableName('lab1')).toBe('nslab_lab1');
    expect(tableName('t123docker-bridge')).toMatch(/^nslab_t123docker_bridge_[0-9a-f]{6}$/u);
    expect(tableName('a-b')).not.toBe(tableName('a_b'));
    expect(tableName('lab1@0123abcd')).toBe('nslab_lab1_0123abcd');
  });
});

describe('the nft -f script', () => {
  const create = (r: NetfilterResource): Change => ({ id: r.name, type: r.type, action: 'create', path: r.path, desired: r, fields: [], reason: '' });
  const empty: LiveState = { namespaces: new Set(), locations: new Map() };

  it('declares, deletes and declares the table again in one transaction', () => {
    const [s] = nftScripts('fixture', [create(declared.masq!), create(declared.fw!)], empty);
    const lines = s!.text.split('\n');
    expect(lines.slice(0, 3)).toEqual(['table inet nslab_fixture { comment "nslab:fixture"; }', 'delete table inet nslab_fixture', 'table inet nslab_fixture {']);
    expect(s!.text).toContain('\t\toifname "wan0" ip saddr 10.77.0.0/24 masquerade comment "masquerade:masq"\n');
    expect(s!.text).toContain('type filter hook forward priority filter; policy drop;');
  });

  it('keeps the rules of resources that do not change, and deletes the table when nothing is left', () => {
    const del = (r: NetfilterResource): Change => ({ id: r.name, type: r.type, action: 'delete', path: r.path, prior: r, fields: [], reason: '' });
    const [kept] = nftScripts('fixture', [del(declared.fw!)], recorded());
    expect(kept!.text).toContain('masquerade comment "masquerade:masq"');
    expect(kept!.text).not.toContain('chain input');
    const all = Object.values(declared).map(del);
    expect(nftScripts('fixture', all, recorded())).toEqual([{ location: '', text: 'delete table inet nslab_fixture\n' }]);
    expect(nftScripts('fixture', all, empty)).toEqual([]);
  });
});
