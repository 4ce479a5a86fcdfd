/**
 * Pure parser of `tc -j -raw qdisc show`: the root qdisc of each device, in the units of
 * ImpairValues (µs, fractions, bytes/s, bytes, packets).
 *
 * - tbf: `{"rate": bytes/s, "burst": bytes, "lat": µs, "limit": bytes}` (`limit` only with -raw).
 * - netem: `{"limit": packets, "delay": {"delay": s, "jitter": s}, "loss-random": {"loss": fraction},
 *   "duplicate": {"duplicate": f}, "reorder": {"reorder": f}, "corrupt": {"corrupt": f},
 *   "rate": {"rate": bytes/s}}`; a part the qdisc lacks is absent.
 */
import { TBF_PACKET_BYTES, type ImpairValues, type LiveQdisc } from '../../plan/impair.js';

type J = Record<string, unknown>;
const isObj = (v: unknown): v is J => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && /^\d+(\.\d+)?$/u.test(v) ? Number(v) : undefined);

/** Root qdiscs by device name. Empty output means no qdisc at all. */
export function parseQdiscs(text: string): Map<string, LiveQdisc> {
  const out = new Map<string, LiveQdisc>();
  if (text.trim() === '') return out;
  const list = JSON.parse(text) as unknown;
  if (!Array.isArray(list)) throw new Error('unexpected tc output: not a JSON array');
  for (const q of list as J[]) {
    if (q.root !== true || typeof q.dev !== 'string' || typeof q.kind !== 'string') continue;
    out.set(q.dev, { kind: q.kind, values: valuesOf(q.kind, isObj(q.options) ? q.options : {}) });
  }
  return out;
}

function valuesOf(kind: string, o: J): Partial<ImpairValues> {
  const v: Partial<ImpairValues> = {};
  const set = <K extends keyof ImpairValues>(k: K, x: number | undefined) => {
    if (x !== undefined) v[k] = x as ImpairValues[K];
  };
  if (kind === 'tbf') {
    set('rate', num(o.rate));
    set('burst', num(o.burst));
    const limit = num(o.limit);
    set('limit', limit === undefined ? undefined : Math.round(limit / TBF_PACKET_BYTES));
    return v;
  }
  if (kind !== 'netem') return v;
  const part = (name: string, key: string) => (isObj(o[name]) ? num((o[name] as J)[key]) : undefined);
  const delay = part('delay', 'delay');
  const jitter = part('delay', 'jitter');
  set('delay', delay === undefined ? undefined : delay * 1e6);
  set('jitter', jitter === undefined ? undefined : jitter * 1e6);
  set('loss', part('loss-random', 'loss'));
  set('duplicate', part('duplicate', 'duplicate'));
  set('reorder', part('reorder', 'reorder'));
  set('corrupt', part('corrupt', 'corrupt'));
  set('rate', part('rate', 'rate'));
  set('limit', num(o.limit));
  return v;
}
