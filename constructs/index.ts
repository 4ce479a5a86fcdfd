/**
 * nslab's public construct API: Linux network-namespace labs as code.
 *
 * ```ts
 * const app = new App();
 * const lab = new Lab(app, 'red-blue');
 * const red = new NetNamespace(lab, 'red');
 * ```
 */
export * from './app.js';
export * from './lab.js';
export * from './device.js';
export * from './net-namespace.js';
export * from './bridge.js';
export * from './veth-link.js';
export * from './ip-address.js';
export * from './route.js';
export * from './masquerade.js';
export * from './port-forward.js';
export * from './firewall.js';
export * from './sysctl.js';
export type { Impair } from '../src/plan/impair.js';
export { PlanError } from '../src/plan/validate.js';
export type { PlanDocument, Resource } from '../src/plan/types.js';
export * from './host.js';
