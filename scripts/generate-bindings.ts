/**
 * Generates the cdktf bindings of nslab/netns with @cdktf/provider-generator, from the schema
 * JSON that src/terraform/schema.ts yields (the same JSON `terraform providers schema -json`
 * prints), into src/cdktf/generated/ (committed). Usage: `npm run generate:bindings`.
 *
 * The generator writes CommonJS-style TypeScript (`./provider` imports without extensions); this
 * project is ESM with NodeNext resolution and `noImplicitOverride`, so relative imports get `.js` /
 * `/index.js`, overriding members get `override`, and the CommonJS-only `lazy-index.ts` is left out.
 * `import * as cdktf from 'cdktf'` becomes an import of src/cdktf/cdk.ts, which loads `cdktf` or
 * `cdktn` (whichever the app uses), so the same bindings serve both.
 */
import { existsSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { providerSchemaJson } from '../src/terraform/schema.js';

process.env.CHECKPOINT_DISABLE = '1';
// The generator's logger complains loudly about a TF_CLI_CONFIG_FILE that does not exist.
if (process.env.TF_CLI_CONFIG_FILE && !existsSync(process.env.TF_CLI_CONFIG_FILE)) delete process.env.TF_CLI_CONFIG_FILE;

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const GENERATED_DIR = join(ROOT, 'src', 'cdktf', 'generated');

function version(): string {
  return String(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
}

/** The schema JSON the bindings are generated from. */
export function schemaForBindings(): Record<string, unknown> {
  return providerSchemaJson({ version: version() });
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

/** `./x` -> `./x.js` or `./x/index.js`, as the files on disk say. */
function esmImports(file: string, text: string, exists: (p: string) => 'file' | 'dir' | undefined): string {
  return text.replace(/(from\s+|import\s*\(\s*|require\(\s*)(['"])(\.{1,2}\/[^'"]*)\2/gu, (m, head: string, q: string, spec: string) => {
    if (/\.(js|json)$/u.test(spec)) return m;
    const target = resolve(dirname(file), spec);
    const kind = exists(`${target}.ts`) === 'file' ? 'file' : exists(target) === 'dir' ? 'dir' : undefined;
    if (!kind) return m;
    return `${head}${q}${kind === 'file' ? `${spec}.js` : `${spec}/index.js`}${q}`;
  });
}

/** Members the generated classes override from TerraformResource / TerraformProvider. */
const OVERRIDES = /^(\s*)(protected|public) (synthesizeAttributes|synthesizeHclAttributes|get alias|set alias)\(/gmu;

/** The generator's import of the CDK library. */
const CDKTF_IMPORT = /^import \* as cdktf from 'cdktf';$/mu;

/** `file` lies under `root` (the generated folder); the shim is src/cdktf/cdk.ts, next to that folder. */
function shimImport(root: string, file: string): string {
  const spec = relative(dirname(file), join(dirname(root), 'cdk.js'));
  return `import * as cdktf from '${spec.startsWith('.') ? spec : `./${spec}`}';`;
}

const postProcess = (root: string, file: string, text: string, exists: (p: string) => 'file' | 'dir' | undefined): string =>
  esmImports(file, text, exists).replace(OVERRIDES, '$1$2 override $3(').replace(CDKTF_IMPORT, () => shimImport(root, file));

/** Generates the bindings into `outDir` (replaced), post-processed for ESM. Returns the files written. */
export async function generateBindings(outDir: string): Promise<string[]> {
  const { TerraformProviderGenerator } = await import('@cdktf/provider-generator/lib/get/generator/provider-generator.js');
  const { CodeMaker } = await import('codemaker');
  const tmp = mkdtempSync(join(tmpdir(), 'netns-bindings-'));
  try {
    const code = new CodeMaker();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    new TerraformProviderGenerator(code, schemaForBindings() as any).generateAll();
    await code.save(tmp);
    const all = files(tmp);
    const kinds = new Map<string, 'file' | 'dir'>();
    for (const f of all) {
      kinds.set(f, 'file');
      for (let d = dirname(f); d.startsWith(tmp) && d !== tmp; d = dirname(d)) kinds.set(d, 'dir');
    }
    rmSync(outDir, { recursive: true, force: true });
    const written: string[] = [];
    for (const f of all.sort()) {
      const rel = relative(tmp, f);
      if (rel.endsWith('lazy-index.ts')) continue;
      let text = readFileSync(f, 'utf8');
      if (f.endsWith('.ts')) text = postProcess(tmp, f, text, (p) => kinds.get(p));
      const dest = join(outDir, rel);
      mkdirSync(dirname(dest), { recursive: true });
      writeFileSync(dest, text);
      written.push(rel);
    }
    writeFileSync(join(outDir, 'netns-schema.json'), `${JSON.stringify(schemaForBindings(), null, 2)}\n`);
    return [...written, 'netns-schema.json'];
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const written = await generateBindings(GENERATED_DIR);
  process.stdout.write(`wrote ${written.length} files to ${relative(process.cwd(), GENERATED_DIR)}:\n${written.map((f) => `  ${f}`).join('\n')}\n`);
}
