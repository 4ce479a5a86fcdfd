import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Bridge, IpAddress, Lab, NetNamespace, VethLink, type PlanDocument } from '../../../constructs/index.js';
import { loadPlan } from '../../../src/plan/validate.js';
import { stableStringify } from '../../../src/plan/types.js';

const CAPTURE = Symbol.for('nslab.capture');
const g = globalThis as Record<symbol, unknown>;

/** Two labs, declared out of alphabetical order, one of them prefixed. */
function twoLabs(outdir?: string): App {
  const app = new App({ outdir });
  const zeta = new Lab(app, 'zeta', { prefix: 'z1-' });
  const sw = new Bridge(zeta, 'br');
  const h = new NetNamespace(zeta, 'h');
  const link = new VethLink(zeta, 'h-link', { a: { namespace: h }, b: { bridge: sw } });
  new IpAddress(zeta, 'h-ip', { device: link.a, address: '10.0.0.1/24' });
  const alpha = new Lab(app, 'alpha');
  new NetNamespace(alpha, 'solo', { sysctls: { 'net.ipv4.ip_forward': '1' } });
  return app;
}

describe('synth output', () => {
  let outdir: string;
  beforeEach(() => {
    outdir = mkdtempSync(join(tmpdir(), 'nslab-out-'));
  });
  afterEach(() => {
    delete g[CAPTURE];
    rmSync(outdir, { recursive: true, force: true });
  });

  test('in capture mode pushes the plans to the capture array and writes no files', () => {
    const captured: PlanDocument[] = [];
    g[CAPTURE] = captured;
    const app = twoLabs(join(outdir, 'out'));

    const plans = app.synth();

    expect(captured).toEqual(plans);
    expect(captured.map((p) => p.lab)).toEqual(['alpha', 'zeta']);
    expect(readdirSync(outdir)).toEqual([]);
  });

  test('otherwise writes one <prefix><lab>.plan.json per lab in the output directory', () => {
    const dir = join(outdir, 'nested', 'out');
    const plans = twoLabs(dir).synth();

    expect(readdirSync(dir).sort()).toEqual(['alpha.plan.json', 'z1-zeta.plan.json']);
    for (const plan of plans) {
      const text = readFileSync(join(dir, `${plan.prefix}${plan.lab}.plan.json`), 'utf8');
      expect(text).toBe(stableStringify(plan));
      expect(loadPlan(JSON.parse(text))).toEqual(plan);
    }
  });

  test('writes byte-identical files for the same tree, whatever the order of synth runs', () => {
    const first = join(outdir, 'first');
    const second = join(outdir, 'second');
    twoLabs(first).synth();
    twoLabs(second).synth();
    twoLabs(second).synth();

    for (const name of readdirSync(first)) {
      expect(readFileSync(join(second, name), 'utf8')).toBe(readFileSync(join(first, name), 'utf8'));
    }
    const text = readFileSync(join(first, 'z1-zeta.plan.json'), 'utf8');
    expect(text).not.toMatch(/time|date/iu);
    expect(text.endsWith('}\n')).toBe(true);
  });

  test('returns plans sorted by lab name with sorted keys and no undefined fields', () => {
    const plans = twoLabs(outdir).synth();

    expect(plans.map((p) => p.lab)).toEqual(['alpha', 'zeta']);
    for (const plan of plans) expect(JSON.parse(JSON.stringify(plan))).toStrictEqual(plan);
    expect(Object.keys(plans[1]!.resources)).toEqual(['br', 'h', 'h-ip', 'h-link']);
  });
});
