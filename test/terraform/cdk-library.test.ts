/**
 * src/cdktf/cdk.ts: the one module that loads cdktf or cdktn for nslab/cdktf and its bindings.
 */
import * as cdktf from 'cdktf';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as shim from '../../src/cdktf/cdk.js';

const GENERATED = new URL('../../src/cdktf/generated', import.meta.url).pathname;
const walk = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)]));
const both = { cdktf: '/x/cdktf/lib/index.js', cdktn: '/x/cdktn/lib/index.js' };

describe('choosing the CDK library', () => {
  const choose = (installed: Partial<typeof both>, opts: { env?: NodeJS.ProcessEnv; loaded?: string[] } = {}) =>
    shim.chooseCdkLibrary({ env: opts.env ?? {}, resolve: (n) => installed[n], loaded: (f) => (opts.loaded ?? []).includes(f) });

  it('takes the one installed', () => {
    expect(choose({ cdktf: both.cdktf })).toBe('cdktf');
    expect(choose({ cdktn: both.cdktn })).toBe('cdktn');
  });

  it('with both installed, takes the one the app loaded already, else cdktn', () => {
    expect(choose(both, { loaded: [both.cdktf] })).toBe('cdktf');
    expect(choose(both, { loaded: [both.cdktn] })).toBe('cdktn');
    expect(choose(both)).toBe('cdktn');
  });

  it('follows NSLAB_CDK, and refuses another value', () => {
    expect(choose(both, { env: { NSLAB_CDK: 'cdktf' }, loaded: [both.cdktn] })).toBe('cdktf');
    expect(() => choose(both, { env: { NSLAB_CDK: 'cdk' } })).toThrow('NSLAB_CDK must be "cdktf" or "cdktn", not "cdk"');
  });

  it('says what to install when neither is there', () => {
    expect(() => choose({})).toThrow('nslab/cdktf needs cdktf or cdktn: run `npm install cdktf` (CDK for Terraform) or `npm install cdktn` (CDK Terrain)');
  });
});

describe('the module', () => {
  it('hands out the classes of the library in use (here cdktf, the same instance the test imports)', () => {
    expect(shim.cdkLibraryName).toBe('cdktf');
    expect(shim.TerraformStack).toBe(cdktf.TerraformStack);
    expect(shim.TerraformResource).toBe(cdktf.TerraformResource);
  });

  it('exports every value of the library the generated bindings use', () => {
    const used = new Set(walk(GENERATED).filter((f) => f.endsWith('.ts'))
      .flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/\bcdktf\.([A-Za-z_]+)/gu)].map((m) => m[1]!)));
    const values = [...used].filter((n) => (cdktf as Record<string, unknown>)[n] !== undefined).sort();
    expect(values.length).toBeGreaterThan(5);
    for (const n of values) expect(`${n}: ${typeof (shim as Record<string, unknown>)[n]}`).toBe(`${n}: ${typeof (cdktf as Record<string, unknown>)[n]}`);
  });

  it('is what the generated bindings import instead of cdktf', () => {
    const imports = walk(GENERATED).filter((f) => f.endsWith('.ts')).map((f) => readFileSync(f, 'utf8')).join('\n');
    expect(imports).not.toMatch(/from 'cdktf'/u);
    expect(imports).toMatch(/import \* as cdktf from '\.\.\/\.\.\/\.\.\/\.\.\/cdk\.js';/u);
  });
});
