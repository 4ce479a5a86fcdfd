/** The `impair` field of a veth end or a bridge against the device's live root qdisc. Pure. */
import { impairOf, sameImpair, type Impair } from '../../plan/impair.js';
import type { LiveState } from '../live/read.js';
import type { Location } from '../../plan/types.js';
import type { FieldChange } from './change.js';

/**
 * The impair field change of one device, if any. A declared impairment must match the live
 * qdisc within the kernel's rounding. An undeclared one is left alone, unless the lab declared
 * one before (`priorHad`): then a live tbf or netem qdisc is removed (the kernel's default returns).
 */
export function impairFields(prefix: string, want: Impair | undefined, live: LiveState, l: Location, device: string, priorHad: boolean): FieldChange[] {
  const q = live.locations.get(l)?.qdiscs?.get(device);
  if (want) return sameImpair(want, q) ? [] : [{ field: `${prefix}impair`, from: impairOf(q) ?? null, to: want }];
  const now = impairOf(q);
  return priorHad && now ? [{ field: `${prefix}impair`, from: now, to: null }] : [];
}
