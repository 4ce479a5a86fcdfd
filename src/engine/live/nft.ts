/**
 * Pure parser of `nft -j list ruleset`: nslab's tables (`nslab_*`), their chains and rules, each
 * rule turned into the text nft prints for it (the canonical form nft-rules.ts writes), so that a
 * rule read back compares equal to the rule declared. Expressions nslab never writes are kept as
 * their JSON (`ok: false`): they never compare equal and are never written back.
 */

export interface LiveRule {
  readonly text: string;
  readonly comment?: string;
  /** False when an expression is not one nslab writes: the text is then not nft syntax. */
  readonly ok: boolean;
}

export interface LiveChain {
  readonly name: string;
  readonly type?: string;
  readonly hook?: string;
  readonly prio?: number;
  readonly policy?: string;
  readonly rules: LiveRule[];
}

export interface LiveTable {
  readonly family: string;
  readonly name: string;
  readonly chains: Map<string, LiveChain>;
}

type J = Record<string, unknown>;
const isObj = (v: unknown): v is J => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Only tables whose name says nslab made them are kept (keyed `family name`). */
export function parseRuleset(text: string): Map<string, LiveTable> {
  const doc = JSON.parse(text) as J;
  if (!Array.isArray(doc.nftables)) throw new Error('unexpected nft output: no "nftables" list');
  const tables = new Map<string, LiveTable>();
  const table = (family: unknown, name: unknown) => tables.get(`${String(family)} ${String(name)}`);
  for (const item of doc.nftables as J[]) {
    if (isObj(item.table)) {
      const t = item.table;
      if (typeof t.name === 'string' && t.name.startsWith('nslab_')) {
        tables.set(`${String(t.family)} ${t.name}`, { family: String(t.family), name: t.name, chains: new Map() });
      }
    } else if (isObj(item.chain)) {
      const c = item.chain;
      table(c.family, c.table)?.chains.set(String(c.name), {
        name: String(c.name),
        type: typeof c.type === 'string' ? c.type : undefined,
        hook: typeof c.hook === 'string' ? c.hook : undefined,
        prio: typeof c.prio === 'number' ? c.prio : undefined,
        policy: typeof c.policy === 'string' ? c.policy : undefined,
        rules: [],
      });
    } else if (isObj(item.rule)) {
      const r = item.rule;
      const chain = table(r.family, r.table)?.chains.get(String(r.chain));
      if (!chain) continue;
      const words = Array.isArray(r.expr) ? (r.expr as unknown[]).map(exprText) : [undefined];
      const ok = words.every((w) => w !== undefined);
      chain.rules.push({
        text: ok ? words.join(' ') : JSON.stringify(r.expr),
        ok,
        ...(typeof r.comment === 'string' ? { comment: r.comment } : {}),
      });
    }
  }
  return tables;
}

/** A right-hand value: `10.0.0.0/8`, `1000-2000`, `"wan0"`, `{ 80, 443 }`. */
function value(v: unknown, quoteStrings: boolean): string | undefined {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return quoteStrings ? `"${v}"` : v;
  if (isObj(v) && isObj(v.prefix)) return `${String(v.prefix.addr)}/${String(v.prefix.len)}`;
  if (isObj(v) && Array.isArray(v.range)) return `${String(v.range[0])}-${String(v.range[1])}`;
  if (isObj(v) && Array.isArray(v.set)) {
    const xs = v.set.map((x) => value(x, quoteStrings));
    return xs.every((x) => x !== undefined) ? `{ ${xs.join(', ')} }` : undefined;
  }
  return undefined;
}

/** One statement of a rule as nft prints it, or undefined for one nslab does not write. */
function exprText(e: unknown): string | undefined {
  if (!isObj(e)) return undefined;
  const [kind] = Object.keys(e);
  const body = e[kind!];
  switch (kind) {
    case 'accept':
    case 'drop':
    case 'masquerade':
      return kind;
    case 'reject':
      return body === null || (isObj(body) && body.type === 'icmpx' && body.expr === 'port-unreachable') ? 'reject' : undefined;
    case 'dnat': {
      if (!isObj(body) || typeof body.addr !== 'string') return undefined;
      const fam = body.family === 'ip' ? 'ip ' : body.family === 'ip6' ? 'ip6 ' : '';
      return `dnat ${fam}to ${body.addr}${body.port !== undefined ? `:${String(body.port)}` : ''}`;
    }
    case 'match':
      return isObj(body) ? matchText(body) : undefined;
    default:
      return undefined;
  }
}

function matchText(m: J): string | undefined {
  const op = m.op === '==' || m.op === 'in' ? '' : typeof m.op === 'string' ? `${m.op} ` : undefined;
  if (op === undefined || !isObj(m.left)) return undefined;
  const left = m.left;
  if (isObj(left.meta)) {
    const key = String(left.meta.key);
    const quoted = key === 'iifname' || key === 'oifname';
    const v = value(m.right, quoted);
    if (v === undefined) return undefined;
    return quoted ? `${key} ${op}${v}` : `meta ${key} ${op}${v}`;
  }
  if (isObj(left.payload)) {
    const v = value(m.right, false);
    return v === undefined ? undefined : `${String(left.payload.protocol)} ${String(left.payload.field)} ${op}${v}`;
  }
  if (isObj(left.ct)) {
    const v = Array.isArray(m.right) ? m.right.map(String).join(',') : value(m.right, false);
    return v === undefined ? undefined : `ct ${String(left.ct.key)} ${op}${v}`;
  }
  return undefined;
}
