/** What a diff produces: changes, each with its action, the differing fields and a reason, and conflicts. */
import type { Resource, ResourceType } from '../../plan/types.js';

export type Action = 'create' | 'update' | 'replace' | 'delete';

export interface FieldChange {
  readonly field: string;
  readonly from?: unknown;
  readonly to?: unknown;
}

export interface Change {
  /** The resource id, or `drift:…` for an undeclared object found on something the lab owns. */
  readonly id: string;
  readonly type: ResourceType;
  readonly action: Action;
  readonly path: string;
  /** What to create or update to (create, update, replace). */
  readonly desired?: Resource;
  /** What to remove (delete, and the old half of replace). */
  readonly prior?: Resource;
  readonly fields: FieldChange[];
  readonly reason: string;
  /** A veth being removed: its ends that are live links the lab owns (the delete goes through one). */
  readonly liveEnds?: Array<'a' | 'b'>;
}

export interface Conflict {
  readonly path: string;
  readonly message: string;
}

export interface DiffResult {
  readonly changes: Change[];
  readonly conflicts: Conflict[];
  /** Objects the state claims that are in the kernel but no longer the lab's: left alone. */
  readonly leftAlone?: Conflict[];
}
