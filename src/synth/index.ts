/** Construct tree -> plan documents. */
export { synthesize } from './synth.js';
export { synthApp, writePlans, planFileName, captureTarget, registerApp, CAPTURE_KEY, APPS_KEY, DEFAULT_OUTDIR } from './output.js';
export { deriveInterfaceName, truncateBytes, shortHash, byteLength } from './naming.js';
export {
  LAB_BRAND, RESOURCE_BRAND, DEVICE_BRAND, brand, hasBrand, isLabSource, isResourceSource, nearestLab, displayPath,
  type ILabSource, type IResourceSource, type ResourceBody,
} from './contract.js';
