/** Field-level helpers over changes: differences between resources, and undoing them. */
import type { Resource } from '../plan/types.js';
import type { Change, FieldChange } from './diff.js';

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

/** Top-level fields that differ between two resources of the same type (for replacements). */
export function fieldDiff(from: Resource, to: Resource): FieldChange[] {
  const out: FieldChange[] = [];
  const a = from as unknown as Record<string, unknown>;
  const b = to as unknown as Record<string, unknown>;
  for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    if (k === 'path') continue;
    if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) out.push({ field: k, from: a[k] ?? null, to: b[k] ?? null });
  }
  return out;
}
