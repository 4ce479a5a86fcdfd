/** Field-level helpers over changes: differences between resources, and undoing them. */
import type { Resource } from '../../plan/types.js';
import type { Change, FieldChange } from './change.js';

/**
 * The resource as the kernel has it, from an update's field differences: every differing field
 * set back to its live (`from`) value. Field names are those the diff produces (`a.mtu`, `sysctls.K`…).
 */
export function revertFields(r: Resource, c: Change): Resource {
  const out = structuredClone(r) as unknown as Record<string, unknown>;
  const set = (obj: Record<string, unknown>, k: string, v: unknown) => {
    if (v === null || v === undefined) delete obj[k];
    else obj[k] = v;
  };
  for (const f of c.fields) {
    const [head, ...rest] = f.field.split('.');
    if (f.field.endsWith('marker') || head === 'protocol') continue;
    if (head === 'sysctls') set(out.sysctls as Record<string, unknown>, rest.join('.'), f.from);
    else if ((head === 'a' || head === 'b') && rest.length) {
      const field = rest[0]!;
      if (field === 'mtu' || field === 'up') set(out, field, f.from);
      else set(out[head] as Record<string, unknown>, field, f.from);
    } else set(out, head!, f.from);
  }
  return out as unknown as Resource;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Fields that differ between two resources of the same type (for replacements); within a veth
 * end, per field (`b.namespace`, `a.name`).
 */
export function fieldDiff(from: Resource, to: Resource): FieldChange[] {
  const walk = (a: Record<string, unknown>, b: Record<string, unknown>, prefix: string): FieldChange[] => {
    const out: FieldChange[] = [];
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      if (k === 'path' && prefix === '') continue;
      if (JSON.stringify(a[k]) === JSON.stringify(b[k])) continue;
      const [x, y] = [a[k], b[k]];
      if (prefix === '' && (k === 'a' || k === 'b') && isRecord(x) && isRecord(y)) out.push(...walk(x, y, `${k}.`));
      else out.push({ field: `${prefix}${k}`, from: x ?? null, to: y ?? null });
    }
    return out;
  };
  return walk(from as unknown as Record<string, unknown>, to as unknown as Record<string, unknown>, '');
}
