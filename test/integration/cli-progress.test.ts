/**
 * A long apply shows its progress on a terminal (phase and count, at most about once a second),
 * and nothing of it when the output is piped or --json is given. The terminal is a pseudo-terminal
 * from util-linux `script`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describeKernel, kernelFixture, namespacesWith } from '../support/kernel.js';

const execP = promisify(execFile);
const CLI = new URL('../../dist/src/cli/main.js', import.meta.url).pathname;
const N = 1000;

/** `N` namespaces, each with an address on lo from the 10.`net`/16 block. */
function plan(prefix: string, net: number): string {
  const resources: Record<string, unknown> = {};
  for (let i = 0; i < N; i++) {
    const ns = `${prefix}n${i}`;
    resources[`n${i}`] = { type: 'namespace', name: ns, loopbackUp: true, sysctls: {}, path: `big/n${i}` };
    resources[`n${i}-a`] = { type: 'address', namespace: ns, device: 'lo', address: `10.${net}.${i >> 8}.${i & 255}/32`, path: `big/n${i}-a` };
  }
  return JSON.stringify({ version: 1, lab: 'big', prefix, resources });
}

const PROGRESS = /^lab \S+: .*… \[\d+s elapsed\]$/u;
const progressLines = (text: string) => text.split(/\r?\n/u).filter((l) => PROGRESS.test(l));

describeKernel('progress of a long apply', () => {
  const fx = kernelFixture();
  const P = fx.prefix;
  const dir = mkdtempSync(join(tmpdir(), 'nslab-progress-'));
  const env = { ...process.env, NSLAB_STATE_DIR: fx.stateDir };
  const file = (net: number) => {
    const path = join(dir, `big-${net}.json`);
    writeFileSync(path, plan(P, net));
    return path;
  };
  /** Runs nslab with its stdout on a pseudo-terminal; returns what the terminal showed and how long it took. */
  const onTerminal = async (...args: string[]) => {
    const started = Date.now();
    const r = await execP('script', ['-qec', ['node', CLI, ...args].join(' '), '/dev/null'], { env, maxBuffer: 64 << 20 });
    return { text: r.stdout, seconds: (Date.now() - started) / 1000 };
  };
  afterAll(async () => {
    await execP('node', [CLI, 'destroy', '--lab', `${P}big`, '--auto-approve'], { env }).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it(`prints no progress when the output is piped (${N} namespaces)`, async () => {
    const r = await execP('node', [CLI, 'apply', file(77), '--auto-approve'], { env, maxBuffer: 64 << 20 });
    expect(r.stdout).toMatch(new RegExp(`apply complete: ${2 * N} created`, 'u'));
    expect(progressLines(r.stdout)).toEqual([]);
    expect(r.stdout).not.toContain('elapsed');
    expect(namespacesWith(P)).toHaveLength(N);
  }, 60_000);

  it('shows the phase and count on a terminal, about once a second', async () => {
    const r = await onTerminal('apply', file(78), '--auto-approve');
    expect(r.text).toMatch(new RegExp(`lab ${P}big: apply complete: .*\\b${N} (updated|replaced)\\b`, 'u'));
    const lines = progressLines(r.text);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length).toBeLessThanOrEqual(Math.ceil(r.seconds) + 1);
    expect(lines.some((l) => new RegExp(`^lab ${P}big: configuring \\d+/${N} namespaces… \\[\\d+s elapsed\\]$`, 'u').test(l))).toBe(true);
    // Reading comes before the plan is shown (and paused while it is); the writes after it, before the summary.
    const text = r.text.replace(/\r/gu, '');
    const at = (l: string) => text.indexOf(l);
    for (const l of lines) {
      if (l.includes(': reading the kernel (')) expect(at(l)).toBeLessThan(at('Plan: '));
      else expect([at(l) > at('Plan: '), at(l) < at('apply complete')]).toEqual([true, true]);
    }
  }, 60_000);

  it('prints no progress with --json, even on a terminal', async () => {
    const r = await onTerminal('apply', file(77), '--auto-approve', '--json');
    expect(r.text).toMatch(/apply complete/u);
    expect(progressLines(r.text)).toEqual([]);
  }, 60_000);
});
