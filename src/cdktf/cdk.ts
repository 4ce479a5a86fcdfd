/**
 * `cdktf` or `cdktn`, whichever the app uses: the one module of nslab/cdktf that loads the CDK
 * library. The generated bindings and LabStack import it instead of `cdktf`, so one build serves
 * CDK for Terraform (cdktf 0.21) and its maintained fork CDK Terrain (cdktn 0.24). Classes made by
 * one of the two libraries crash inside a stack of the other: an app must load only one.
 *
 * Which one: `NSLAB_CDK=cdktf|cdktn` when set; else the one installed; with both installed, the
 * one already loaded (by an app that imported it before nslab/cdktf), else `cdktn`.
 * Types come from `cdktf`'s declarations (cdktn has the same API).
 */
import { createRequire } from 'node:module';
import type * as Cdktf from 'cdktf';

export type CdkLibraryName = 'cdktf' | 'cdktn';

const require = createRequire(import.meta.url);

function resolvePackage(name: string): string | undefined {
  try {
    return require.resolve(name);
  } catch {
    return undefined;
  }
}

export interface ChooseOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** The package's entry file, or undefined when it is not installed. */
  readonly resolve?: (name: CdkLibraryName) => string | undefined;
  /** Whether that entry file is loaded already. */
  readonly loaded?: (file: string) => boolean;
}

/**
 * The CDK library nslab/cdktf uses (see the module comment).
 * @throws Error when neither is installed, or NSLAB_CDK names another value
 */
export function chooseCdkLibrary(opts: ChooseOptions = {}): CdkLibraryName {
  const env = opts.env ?? process.env;
  const resolve = opts.resolve ?? resolvePackage;
  const loaded = opts.loaded ?? ((file: string) => require.cache[file] !== undefined);
  const forced = env.NSLAB_CDK;
  if (forced !== undefined && forced !== '') {
    if (forced !== 'cdktf' && forced !== 'cdktn') throw new Error(`NSLAB_CDK must be "cdktf" or "cdktn", not "${forced}"`);
    return forced;
  }
  const installed = (['cdktn', 'cdktf'] as const).flatMap((name) => {
    const file = resolve(name);
    return file === undefined ? [] : [{ name, file }];
  });
  if (installed.length === 0) {
    throw new Error('nslab/cdktf needs cdktf or cdktn: run `npm install cdktf` (CDK for Terraform) or `npm install cdktn` (CDK Terrain)');
  }
  return (installed.find((i) => loaded(i.file)) ?? installed[0]!).name;
}

/** The library in use: `cdktf` or `cdktn`. */
export const cdkLibraryName: CdkLibraryName = chooseCdkLibrary();
// A dynamic import (not require) so that a test runner's module registry (jest) serves the same
// instance the app's own `import … from 'cdktf'` gets.
const loadedModule = (await import(cdkLibraryName)) as { default?: typeof Cdktf } & typeof Cdktf;
const cdk: typeof Cdktf = loadedModule.default ?? loadedModule;

export type * from 'cdktf';

// The values nslab/cdktf and its generated bindings use (the types come with `export type *`).
export const TerraformStack = cdk.TerraformStack;
export type TerraformStack = Cdktf.TerraformStack;
export const TerraformProvider = cdk.TerraformProvider;
export type TerraformProvider = Cdktf.TerraformProvider;
export const TerraformResource = cdk.TerraformResource;
export type TerraformResource = Cdktf.TerraformResource;
export const ImportableResource = cdk.ImportableResource;
export type ImportableResource = Cdktf.ImportableResource;
export const booleanToTerraform = cdk.booleanToTerraform;
export const booleanToHclTerraform = cdk.booleanToHclTerraform;
export const numberToTerraform = cdk.numberToTerraform;
export const numberToHclTerraform = cdk.numberToHclTerraform;
export const stringToTerraform = cdk.stringToTerraform;
export const stringToHclTerraform = cdk.stringToHclTerraform;
export const hashMapper = cdk.hashMapper;
export const hashMapperHcl = cdk.hashMapperHcl;
export const listMapper = cdk.listMapper;
export const listMapperHcl = cdk.listMapperHcl;
