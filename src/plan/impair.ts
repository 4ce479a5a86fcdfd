/**
 * Link impairments (`impair` on a veth end or a bridge): the plan form, its checks, the tc
 * arguments that make it, and the comparison with what `tc -j qdisc show` reports. Pure.
 *
 * Units are explicit: durations `us|ms|s`, percentages with `%`, rates in bits per second
 * (`kbit|mbit|gbit`, SI: 1mbit = 1,000,000 bit/s), burst sizes in bytes (`b|kb|mb`, as tc reads
 * them: 1kb = 1024 bytes), `limit` a number of packets. A rate alone (with burst and limit) is a
 * tbf qdisc; anything else is netem (which has its own rate).
 */

/** An egress impairment of one device, as the plan states it. */
export interface Impair {
  /** Added delay, e.g. `20ms`. */
  readonly delay?: string;
  /** Random variation of the delay (needs `delay`), e.g. `5ms`. */
  readonly jitter?: string;
  /** Share of packets dropped, e.g. `1%`. */
  readonly loss?: string;
  /** Share of packets duplicated. */
  readonly duplicate?: string;
  /** Share of packets with a flipped bit. */
  readonly corrupt?: string;
  /** Share of packets sent at once, ahead of the delayed ones (needs `delay`). */
  readonly reorder?: string;
  /** Rate limit in bits per second, e.g. `8mbit`. */
  readonly rate?: string;
  /** Bucket size of a rate limit (tbf only), e.g. `32kb`. */
  readonly burst?: string;
  /** Queue length in packets. */
  readonly limit?: number;
}

export const NETEM_FIELDS = ['delay', 'jitter', 'loss', 'duplicate', 'corrupt', 'reorder'] as const;
const FIELDS = [...NETEM_FIELDS, 'rate', 'burst', 'limit'] as const;

/** The numbers an impairment means. Durations in µs, shares as fractions, rate in bytes/s, burst in bytes. */
export interface ImpairValues {
  delay: number;
  jitter: number;
  loss: number;
  duplicate: number;
  corrupt: number;
  reorder: number;
  rate?: number;
  burst?: number;
  limit?: number;
}

const NUM = '(\\d+(?:\\.\\d+)?)';
const DURATION = new RegExp(`^${NUM}(us|ms|s)$`, 'u');
const PERCENT = new RegExp(`^${NUM}%$`, 'u');
const RATE = new RegExp(`^${NUM}(kbit|mbit|gbit)$`, 'u');
const BYTE_RATE = new RegExp(`^${NUM}(bps|kbps|mbps|gbps|tbps)$`, 'iu');
const SIZE = new RegExp(`^${NUM}(b|kb|mb)$`, 'u');

export const durationUs = (s: string): number | undefined => {
  const m = DURATION.exec(s);
  return m ? Number(m[1]) * { us: 1, ms: 1e3, s: 1e6 }[m[2] as 'us']! : undefined;
};
const percent = (s: string): number | undefined => {
  const m = PERCENT.exec(s);
  return m && Number(m[1]) <= 100 ? Number(m[1]) / 100 : undefined;
};
/** Bytes per second. */
export const rateBytes = (s: string): number | undefined => {
  const m = RATE.exec(s);
  return m ? (Number(m[1]) * { kbit: 1e3, mbit: 1e6, gbit: 1e9 }[m[2] as 'kbit']!) / 8 : undefined;
};
const sizeBytes = (s: string): number | undefined => {
  const m = SIZE.exec(s);
  return m ? Math.round(Number(m[1]) * { b: 1, kb: 1024, mb: 1024 * 1024 }[m[2] as 'b']!) : undefined;
};

/** Checks an `impair` value; pushes one message per problem (prefixed with `what`). */
export function normalizeImpair(v: unknown, what: string, problems: string[]): Impair | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) {
    problems.push(`${what} must be an object such as { rate: '8mbit' } or { delay: '20ms', loss: '1%' }`);
    return undefined;
  }
  const raw = v as Record<string, unknown>;
  const before = problems.length;
  const out: Record<string, string | number> = {};
  for (const k of Object.keys(raw)) {
    if (!(FIELDS as readonly string[]).includes(k)) problems.push(`${what}: unknown field "${k}" (known: ${FIELDS.join(', ')})`);
  }
  const check = (k: string, parse: (s: string) => number | undefined, example: string, units: string) => {
    const x = raw[k];
    if (x === undefined) return;
    const s = typeof x === 'string' ? x.trim() : undefined;
    if (k === 'rate' && s !== undefined && BYTE_RATE.test(s)) {
      const unit = /[a-z]+$/iu.exec(s)![0].toLowerCase();
      const scale = { bps: '', kbps: 'kilo', mbps: 'mega', gbps: 'giga', tbps: 'tera' }[unit];
      problems.push(`${what}: rate "${s}": tc's "${unit}" means ${scale}bytes per second; nslab takes rates in bits per second: write e.g. "${example}"`);
      return;
    }
    if (s === undefined || parse(s) === undefined) {
      problems.push(`${what}: ${k} ${JSON.stringify(x)} is not ${units} (e.g. "${example}")`);
      return;
    }
    out[k] = s;
  };
  for (const k of ['delay', 'jitter'] as const) check(k, durationUs, k === 'delay' ? '20ms' : '5ms', 'a duration in us, ms or s');
  for (const k of ['loss', 'duplicate', 'corrupt', 'reorder'] as const) check(k, percent, '1%', 'a percentage from 0% to 100%');
  check('rate', rateBytes, '8mbit', 'a rate in kbit, mbit or gbit');
  check('burst', sizeBytes, '32kb', 'a size in b, kb or mb (bytes; 1kb = 1024 bytes)');
  if (raw.limit !== undefined) {
    if (typeof raw.limit !== 'number' || !Number.isInteger(raw.limit) || raw.limit < 1 || raw.limit > 1e7) {
      problems.push(`${what}: limit ${JSON.stringify(raw.limit)} is not a number of packets from 1 to 10000000`);
    } else out.limit = raw.limit;
  }
  if (problems.length > before) return undefined;
  const netem = NETEM_FIELDS.some((k) => out[k] !== undefined);
  if (out.jitter !== undefined && out.delay === undefined) problems.push(`${what}: jitter needs a delay`);
  if (out.reorder !== undefined && out.delay === undefined) problems.push(`${what}: reorder needs a delay (netem sends the reordered packets at once, the others delayed)`);
  if (out.burst !== undefined && out.rate === undefined) problems.push(`${what}: burst needs a rate`);
  if (out.burst !== undefined && netem) problems.push(`${what}: burst applies to a rate alone (tbf); with ${NETEM_FIELDS.filter((k) => out[k] !== undefined).join(', ')} the impairment is netem, which has no burst`);
  if (Object.keys(out).length === 0) problems.push(`${what} is empty: remove it, or set e.g. rate or delay`);
  return problems.length > before ? undefined : (out as Impair);
}

/** Whether an impairment needs the netem qdisc (anything beyond a rate, its burst and its limit). */
export const needsNetem = (i: Impair): boolean => NETEM_FIELDS.some((k) => i[k] !== undefined);

/** The qdisc kind an impairment is made with. */
export const qdiscKind = (i: Impair): 'tbf' | 'netem' => (needsNetem(i) ? 'netem' : 'tbf');

/** The numbers of a valid impairment (absent shares and delays are 0). */
export function impairValues(i: Impair): ImpairValues {
  return {
    delay: i.delay ? durationUs(i.delay)! : 0,
    jitter: i.jitter ? durationUs(i.jitter)! : 0,
    loss: i.loss ? percent(i.loss)! : 0,
    duplicate: i.duplicate ? percent(i.duplicate)! : 0,
    corrupt: i.corrupt ? percent(i.corrupt)! : 0,
    reorder: i.reorder ? percent(i.reorder)! : 0,
    rate: i.rate ? rateBytes(i.rate) : undefined,
    burst: i.burst ? sizeBytes(i.burst) : undefined,
    limit: i.limit,
  };
}

/** Bytes a tbf queue holds per packet of `limit` (full-size Ethernet frames). */
export const TBF_PACKET_BYTES = 1514;

/** tbf's bucket when none is declared: 10 ms at the rate, at least two full-size frames. */
export const defaultBurst = (rate: number): number => Math.max(Math.ceil(rate / 100), 2 * TBF_PACKET_BYTES);

/**
 * The words after `tc qdisc replace dev X root`.
 * Equivalent to: `tbf rate 8000000bit burst 10000 latency 50ms` or `netem delay 20ms 5ms loss 1%`.
 */
export function tcArgs(i: Impair): string[] {
  const v = impairValues(i);
  const rateBits = (b: number) => `${Math.round(b * 8)}bit`;
  if (qdiscKind(i) === 'tbf') {
    const out = ['tbf', 'rate', rateBits(v.rate!), 'burst', String(v.burst ?? defaultBurst(v.rate!))];
    return v.limit !== undefined ? [...out, 'limit', String(v.limit * TBF_PACKET_BYTES)] : [...out, 'latency', '50ms'];
  }
  const out = ['netem'];
  if (v.delay) out.push('delay', `${v.delay}us`, ...(v.jitter ? [`${v.jitter}us`] : []));
  for (const k of ['loss', 'duplicate', 'corrupt', 'reorder'] as const) if (v[k]) out.push(k, `${+(v[k] * 100).toPrecision(6)}%`);
  if (v.rate !== undefined) out.push('rate', rateBits(v.rate));
  if (v.limit !== undefined) out.push('limit', String(v.limit));
  return out;
}

/** A root qdisc as read back (see live/tc.ts), in the same units as ImpairValues. */
export interface LiveQdisc {
  readonly kind: string;
  readonly values: Partial<ImpairValues>;
}

const near = (a: number, b: number, rel: number, abs: number) => Math.abs(a - b) <= Math.max(abs, rel * Math.max(Math.abs(a), Math.abs(b)));

/**
 * Whether the live root qdisc makes the declared impairment, within the kernel's rounding: times
 * to 1 % (or 2 µs), shares to 0.01 percentage points, rates to 1 %, bursts to 5 % (tc rounds them
 * to its clock), limits to one packet.
 */
export function sameImpair(want: Impair, live: LiveQdisc | undefined): boolean {
  if (!live || live.kind !== qdiscKind(want)) return false;
  const w = impairValues(want);
  const l = live.values;
  if (w.rate !== undefined && (l.rate === undefined || !near(w.rate, l.rate, 0.01, 1))) return false;
  if (live.kind === 'tbf') {
    if (w.burst !== undefined && (l.burst === undefined || !near(w.burst, l.burst, 0.05, 64))) return false;
    if (w.limit !== undefined && l.limit !== undefined && Math.abs(w.limit - l.limit) > 1) return false;
    return true;
  }
  if (w.rate === undefined && l.rate) return false;
  for (const k of ['delay', 'jitter'] as const) if (!near(w[k], l[k] ?? 0, 0.01, 2)) return false;
  for (const k of ['loss', 'duplicate', 'corrupt', 'reorder'] as const) if (!near(w[k], l[k] ?? 0, 0, 1e-4)) return false;
  if (w.limit !== undefined && l.limit !== w.limit) return false;
  return true;
}

/** The plan form of a live tbf or netem qdisc (for plans, `show` and rollback); undefined for any other kind. */
export function impairOf(live: LiveQdisc | undefined): Impair | undefined {
  if (!live || (live.kind !== 'tbf' && live.kind !== 'netem')) return undefined;
  const l = live.values;
  const out: Record<string, string | number> = {};
  const num = (x: number) => String(+x.toPrecision(6));
  if (l.rate) out.rate = `${num((l.rate * 8) / 1000)}kbit`;
  if (live.kind === 'tbf') {
    // tbf's limit is left out: without one declared nslab sets a latency, from which tc derives it.
    if (l.burst) out.burst = `${Math.round(l.burst)}b`;
    return out as Impair;
  }
  for (const k of ['delay', 'jitter'] as const) if (l[k]) out[k] = `${num(l[k]!)}us`;
  for (const k of ['loss', 'duplicate', 'corrupt', 'reorder'] as const) if (l[k]) out[k] = `${num(l[k]! * 100)}%`;
  if (l.limit !== undefined) out.limit = l.limit;
  return out as Impair;
}

/** `rate 8mbit, delay 20ms` for messages and plans. */
export const describeImpair = (i: Impair): string => FIELDS.filter((k) => i[k] !== undefined).map((k) => `${k} ${i[k]}`).join(', ');
