/**
 * What "the kernel as it was before the apply" looks like, as resources: the target a rollback
 * makes the kernel match. Pure: derived from the changes the apply was going to make.
 */
import { identity, type Resource } from '../../plan/types.js';
import type { Change } from '../diff/diff.js';
import { fieldDiff, revertFields } from '../diff/fields.js';

export function rollbackTarget(desired: Record<string, Resource>, changes: readonly Change[]): Record<string, Resource> {
  const out: Record<string, Resource> = { ...desired };
  for (const c of changes) {
    switch (c.action) {
      case 'create':
        delete out[c.id];
        break;
      case 'update':
        out[c.id] = revertFields(c.desired!, c);
        break;
      case 'replace':
        // A replacement of a new identity, or of an object that differs from its declared form
        // (a vxlan whose tunnel changed), restores the old object; one forced by a broken live
        // object (a veth without its peer: prior and desired are the same) can only be restored
        // to its declared form.
        out[c.id] = identity(c.prior!) !== identity(c.desired!) || fieldDiff(c.prior!, c.desired!).length > 0 ? c.prior! : c.desired!;
        break;
      case 'delete':
        out[c.id] = c.prior!;
        break;
    }
  }
  return out;
}
