/**
 * Terraform values on the wire: `DynamicValue` holds msgpack (or, rarely, JSON). An unknown value
 * ("known after apply") is any msgpack extension; this provider writes extension type 0 with a
 * single zero byte, as Terraform does. Objects are maps of every attribute (absent = nil).
 */
import { decode, encode, ExtData, ExtensionCodec } from '@msgpack/msgpack';
import type { AttributeSpec, CtyType } from './schema.js';

/** The unknown value. A singleton: compare with `===` or `isUnknown`. */
export class Unknown {
  static readonly value = new Unknown();
  private constructor() {}
  toJSON(): string {
    return '(known after apply)';
  }
}
export const UNKNOWN = Unknown.value;
export const isUnknown = (v: unknown): v is Unknown => v === UNKNOWN;

export type Value = null | string | number | boolean | Unknown | Value[] | { [key: string]: Value };
export type ObjectValue = { [key: string]: Value };

const extensions = new ExtensionCodec();
extensions.register({
  type: 0,
  encode: (v: unknown) => (v === UNKNOWN ? new Uint8Array([0]) : null),
  decode: () => UNKNOWN,
});

/** Any extension Terraform sends (0, or 12 for an unknown with refinements) is unknown. */
function unknownify(v: unknown): Value {
  if (v instanceof ExtData || v === UNKNOWN) return UNKNOWN;
  if (Array.isArray(v)) return v.map(unknownify);
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), unknownify(x)]));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unknownify(x)]));
  if (typeof v === 'bigint') return Number(v);
  return v as Value;
}

export interface DynamicValue {
  msgpack?: Uint8Array;
  json?: Uint8Array;
}

/** Decodes a DynamicValue; an absent or empty one is null. */
export function fromDynamic(dv: DynamicValue | null | undefined): Value {
  if (dv?.msgpack && dv.msgpack.length > 0) return unknownify(decode(dv.msgpack, { extensionCodec: extensions }));
  if (dv?.json && dv.json.length > 0) return unknownify(JSON.parse(Buffer.from(dv.json).toString('utf8')));
  return null;
}

/** Sorted keys: the encoding is deterministic. */
function sortKeys(v: Value): Value {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object' && !isUnknown(v)) {
    const out: ObjectValue = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys(v[k]!);
    return out;
  }
  return v;
}

/** Encodes a value as a msgpack DynamicValue (always msgpack, never JSON). */
export function toDynamic(v: Value): { msgpack: Uint8Array } {
  return { msgpack: encode(sortKeys(v), { extensionCodec: extensions, ignoreUndefined: false }) };
}

/** Whether any part of `v` is unknown. */
export function hasUnknown(v: Value): boolean {
  if (isUnknown(v)) return true;
  if (Array.isArray(v)) return v.some(hasUnknown);
  if (v && typeof v === 'object') return Object.values(v).some(hasUnknown);
  return false;
}

/** Coerces a decoded value to a cty type: numbers may arrive as decimal strings. */
function coerce(type: CtyType, v: Value): Value {
  if (v === null || isUnknown(v)) return v;
  if (type === 'number' && typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  if (Array.isArray(type) && type[0] === 'list') return Array.isArray(v) ? v.map((x) => coerce(type[1] as CtyType, x)) : v;
  if (Array.isArray(type) && v && typeof v === 'object' && !Array.isArray(v)) {
    const out: ObjectValue = {};
    for (const [k, x] of Object.entries(v)) out[k] = coerce(type[1] as CtyType, x);
    return out;
  }
  return v;
}

/**
 * The object of a resource or provider block with exactly the schema's attributes: missing ones
 * are null, unknown keys dropped, numbers coerced. null stays null (no object).
 */
export function conform(attrs: Record<string, AttributeSpec>, v: Value): ObjectValue | null {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || isUnknown(v)) return null;
  const out: ObjectValue = {};
  for (const [name, spec] of Object.entries(attrs)) out[name] = coerce(spec.type, v[name] ?? null);
  return out;
}
