/**
 * Loads a lab file in-process: a TypeScript or JavaScript program that builds an App (its
 * `app.synth()` hands plans back instead of writing them), or a synthesized plan JSON.
 */
import { closeSync, constants, existsSync, fstatSync, openSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { createRequire, isBuiltin } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadCheckedPlan, loadPlan, PlanError } from '../plan/validate.js';
import type { PlanDocument } from '../plan/types.js';
import { APPS_KEY as APPS, CAPTURE_KEY as CAPTURE } from '../synth/output.js';
import { trustedDir, type Change } from '../engine/index.js';


export class LoadError extends Error {
  override name = 'LoadError';
}

export async function loadLabFile(file: string): Promise<PlanDocument[]> {
  const abs = resolve(file);
  if (file.endsWith('.json')) return loadPlanJson(abs);
  if (!existsSync(abs)) throw new LoadError(`${file}: no such file`);
  const g = globalThis as Record<symbol, unknown>;
  const captured: unknown[] = [];
  const apps: Array<{ synth(): unknown }> = [];
  g[CAPTURE] = captured;
  g[APPS] = apps;
  try {
    try {
      const bundled = await bundle(abs);
      if (bundled !== undefined) await import(`data:text/javascript;base64,${Buffer.from(bundled).toString('base64')}`);
      else await (await import('tsx/esm/api')).tsImport(pathToFileURL(abs).href, import.meta.url);
    } catch (e) {
      if (e instanceof Error && (e.name === 'PlanError' || e.name === 'LoadError')) throw e;
      throw new LoadError(`${file}: ${(e as Error).message}`, { cause: e });
    }
    if (captured.length === 0) for (const app of apps) app.synth();
  } finally {
    delete g[CAPTURE];
    delete g[APPS];
  }
  if (captured.length === 0) throw new LoadError(`${file} defines no lab (it should build an App with at least one Lab)`);
  return captured.map((p) => loadCheckedPlan(p));
}

/** Marks a lab file the fast path cannot load as it is; tsx loads it instead. */
class NotBundleable extends Error {}

/**
 * The fast path: esbuild bundles the lab file with its relative imports into one ES module in
 * memory, with every package import resolved from the lab's folder to an absolute file URL, so
 * the module can be imported from a data: URL and shares nslab's modules with the CLI. About
 * 0.1 s faster than tsx, which loads the library a second time. Returns undefined (use tsx) for a
 * file that uses `import.meta` or a package that cannot be resolved for import this way.
 */
async function bundle(abs: string): Promise<string | undefined> {
  const cached = readBundleCache(abs);
  if (cached !== undefined) return cached;
  const esbuild = await import('esbuild');
  const inputs = new Set<string>([abs]);
  try {
    const r = await esbuild.build({
      entryPoints: [abs], bundle: true, write: false, format: 'esm', platform: 'node', target: 'node20', logLevel: 'silent',
      plugins: [{
        name: 'nslab-packages',
        setup(b) {
          b.onResolve({ filter: /^[^./]/ }, (a) => {
            if (a.path.startsWith('node:') || isBuiltin(a.path)) return { path: a.path, external: true };
            try {
              const resolved = createRequire(a.importer || abs).resolve(a.path);
              inputs.add(resolved);
              return { path: pathToFileURL(resolved).href, external: true };
            } catch {
              throw new NotBundleable(a.path);
            }
          });
          b.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, (a) => {
            inputs.add(a.path);
            const text = readFileSync(a.path, 'utf8');
            if (text.includes('import.meta')) throw new NotBundleable('import.meta');
            return undefined;
          });
        },
      }],
    });
    const code = r.outputFiles[0]!.text;
    writeBundleCache(abs, [...inputs], code);
    return code;
  } catch (e) {
    const errors = (e as { errors?: Array<{ text: string; detail?: unknown; location?: { file: string; line: number; column: number } | null }> }).errors;
    if (errors?.some((x) => x.detail instanceof NotBundleable)) return undefined;
    const first = errors?.[0];
    if (first) {
      const at = first.location ? `${first.location.file}:${first.location.line}:${first.location.column}: ` : '';
      throw new LoadError(`${at}${first.text}`);
    }
    throw e;
  }
}

/**
 * Bundles are cached (in $NSLAB_CACHE_DIR, default ~/.cache/nslab, private to the user) with the
 * size and mtime of every file that went in: an unchanged lab loads without starting esbuild.
 */
const cacheDir = () => process.env.NSLAB_CACHE_DIR || join(homedir(), '.cache', 'nslab');
const cachePath = (abs: string) => join(cacheDir(), `${createHash('sha256').update(abs).digest('hex').slice(0, 32)}.bundle.json`);
const fingerprint = (path: string) => {
  const st = statSync(path);
  return `${st.size}:${st.mtimeMs}`;
};

interface BundleCache { version: 1; abs: string; inputs: Array<[string, string]>; code: string }

/** Code from the cache runs as root: the cache directory must be the user's own (see state/trust.ts). */
function readBundleCache(abs: string): string | undefined {
  trustedDir(cacheDir(), 'cache directory');
  try {
    const fd = openSync(cachePath(abs), constants.O_RDONLY | constants.O_NOFOLLOW);
    let text: string;
    try {
      if (fstatSync(fd).uid !== (process.getuid?.() ?? 0)) return undefined;
      text = readFileSync(fd, 'utf8');
    } finally {
      closeSync(fd);
    }
    const c = JSON.parse(text) as BundleCache;
    if (c.version !== 1 || c.abs !== abs) return undefined;
    return c.inputs.every(([path, fp]) => fingerprint(path) === fp) ? c.code : undefined;
  } catch {
    return undefined;
  }
}

function writeBundleCache(abs: string, inputs: string[], code: string): void {
  try {
    trustedDir(cacheDir(), 'cache directory');
    const c: BundleCache = { version: 1, abs, inputs: inputs.map((p) => [p, fingerprint(p)]), code };
    const tmp = `${cachePath(abs)}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(c), { mode: 0o600 });
    renameSync(tmp, cachePath(abs));
  } catch {
    // A cache that cannot be written only costs the next load its esbuild run.
  }
}

function loadPlanJson(abs: string): PlanDocument[] {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(abs, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new LoadError(code === 'ENOENT' ? `${abs}: no such file` : `${abs}: not a plan (${(e as Error).message})`);
  }
  const docs = Array.isArray(doc) ? doc : [doc];
  if (docs.length === 0) throw new LoadError(`${abs}: an empty list: a plan file holds a plan or a list of plans`);
  const problems: string[] = [];
  const plans: PlanDocument[] = [];
  for (const d of docs) {
    try {
      plans.push(loadPlan(d));
    } catch (e) {
      if (e instanceof PlanError) problems.push(...e.problems);
      else throw e;
    }
  }
  if (problems.length) throw new PlanError(problems);
  return plans;
}

/** A plan saved by `nslab plan FILE --out PLANFILE`: the lab plans and the exact changes reviewed. */
export interface SavedPlan {
  readonly kind: 'nslab-saved-plan';
  readonly version: 1;
  readonly labs: Array<{ readonly plan: PlanDocument; readonly changes: Change[] }>;
}

/** The saved plan in `file`, or undefined when `file` is not one. */
export function readSavedPlan(file: string): SavedPlan | undefined {
  if (!file.endsWith('.json')) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(resolve(file), 'utf8'));
  } catch {
    return undefined;
  }
  const d = doc as Partial<SavedPlan>;
  if (d?.kind !== 'nslab-saved-plan') return undefined;
  if (d.version !== 1 || !Array.isArray(d.labs)) throw new LoadError(`${file}: a saved plan of an unknown version`);
  if (d.labs.length === 0) throw new LoadError(`${file}: a saved plan with no lab in it`);
  return { kind: 'nslab-saved-plan', version: 1, labs: d.labs.map((l) => ({ plan: loadPlan(l.plan), changes: l.changes })) };
}
