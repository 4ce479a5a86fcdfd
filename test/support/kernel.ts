/**
 * Support for tests on the real kernel: a skip with a printed reason when not root, random
 * name prefixes, and a cleanup that removes everything carrying the prefix even when a test fails.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pinDir, pinRoot } from '../../src/engine/state/pins.js';
import { randomBytes } from 'node:crypto';

function rootReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'not running as root';
  try {
    execFileSync('ip', ['-j', 'netns', 'list'], { stdio: 'pipe' });
  } catch (e) {
    return `ip netns does not work here: ${(e as Error).message}`;
  }
  return undefined;
}

const reason = rootReason();
export const onKernel = reason === undefined;

/**
 * `describe` on a machine where namespaces can be made; otherwise skipped, saying why. Under
 * CI=true a kernel suite that cannot run is a failure: a broken machine must not pass as green.
 */
export function describeKernel(name: string, fn: () => void): void {
  if (!onKernel && process.env.CI === 'true') {
    describe(name, () => {
      it('runs on a kernel where namespaces can be made (CI=true)', () => {
        throw new Error(`cannot run "${name}": ${reason}`);
      });
    });
    return;
  }
  if (!onKernel) {
    // eslint-disable-next-line no-console
    console.log(`skipping "${name}": ${reason}`);
    describe.skip(name, fn);
    return;
  }
  describe(name, fn);
}

/** A random 4-character prefix: short enough for host-side names like `PPPPbr0-yellow`. */
export function randomPrefix(): string {
  return `t${randomBytes(2).toString('hex').slice(0, 3)}`;
}

export function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function tryIp(...args: string[]): { ok: boolean; out: string } {
  try {
    return { ok: true, out: ip(...args) };
  } catch (e) {
    return { ok: false, out: String((e as { stderr?: string }).stderr ?? e) };
  }
}

export function namespacesWith(prefix: string): string[] {
  const text = ip('-j', 'netns', 'list').trim();
  return text ? (JSON.parse(text) as Array<{ name: string }>).map((n) => n.name).filter((n) => n.startsWith(prefix)) : [];
}

export function hostLinksWith(prefix: string): string[] {
  return (JSON.parse(ip('-j', 'link', 'show')) as Array<{ ifname: string }>).map((l) => l.ifname).filter((n) => n.startsWith(prefix));
}

/** Removes every namespace and host link whose name starts with `prefix`. */
export function sweep(prefix: string): void {
  unpinWith(prefix);
  for (const l of hostLinksWith(prefix)) tryIp('link', 'del', 'dev', l);
  for (const n of namespacesWith(prefix)) tryIp('netns', 'del', n);
}

/** Removes nslab's pins (see src/engine/state/pins.ts) of namespaces whose names start with `prefix`, in any store. */
export function unpinWith(prefix: string): void {
  const root = pinRoot();
  if (!existsSync(root)) return;
  for (const store of readdirSync(root)) {
    for (const lab of readdirSync(join(root, store))) {
      const dir = join(root, store, lab);
      if (!statSync(dir).isDirectory()) continue;
      if (lab.startsWith(prefix)) {
        // The lab's own directory (bound onto itself): one umount drops it and its pins.
        try {
          execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
        } catch {
          // not mounted
        }
        rmSync(dir, { recursive: true, force: true });
        continue;
      }
      for (const ns of readdirSync(dir).filter((n) => n.startsWith(prefix))) {
        try {
          execFileSync('umount', ['-l', join(dir, ns)], { stdio: 'ignore' });
        } catch {
          // not mounted
        }
        rmSync(join(dir, ns), { force: true });
      }
    }
    if (readdirSync(join(root, store)).length === 0) rmSync(join(root, store), { recursive: true, force: true });
  }
}

/** A prefix and a state directory for one test file, swept after all its tests, pass or fail. */
export function kernelFixture(): { prefix: string; stateDir: string } {
  const fx = { prefix: randomPrefix(), stateDir: mkdtempSync(join(tmpdir(), 'nslab-it-')) };
  afterAll(() => {
    sweep(fx.prefix);
    const pins = dirname(pinDir(fx.stateDir, 'x'));
    for (const lab of existsSync(pins) ? readdirSync(pins) : []) {
      try {
        execFileSync('umount', ['-l', join(pins, lab)], { stdio: 'ignore' });
      } catch {
        // not mounted
      }
    }
    rmSync(pins, { recursive: true, force: true });
    rmSync(fx.stateDir, { recursive: true, force: true });
  });
  return fx;
}

export function ping(ns: string | undefined, address: string): boolean {
  const argv = ns === undefined ? ['ping', '-c1', '-W2', address] : ['ip', 'netns', 'exec', ns, 'ping', '-c1', '-W2', address];
  try {
    execFileSync(argv[0]!, argv.slice(1), { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}
