import type { IConstruct } from 'constructs';
import { DEVICE_BRAND, hasBrand } from '../src/synth/contract.js';
import type { NetNamespace } from './net-namespace.js';

/**
 * A network interface: anything that can carry an IpAddress or be a Route's device.
 * Devices are veth ends (`link.a`, `link.b`), a namespace's loopback (`ns.loopback`) and Bridges.
 */
export interface IDevice {
  /** The interface's kernel name (lab prefix applied when it is in the host). */
  readonly deviceName: string;
  /** The namespace the interface lives in; undefined for the host namespace. */
  readonly namespace?: NetNamespace;
  /** The construct that declares the interface (a VethLink, a NetNamespace for `lo`, a Bridge). */
  readonly owner: IConstruct;
}

/** True when `x` is a device (an IDevice created by nslab). */
export function isDevice(x: unknown): x is IDevice {
  return hasBrand(x, DEVICE_BRAND);
}
