/**
 * Testing.synth: a lab's plan for snapshot tests, the same bytes on every machine and run.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IpAddress, NetNamespace, VethLink, type Lab } from '../../constructs/index.js';
import { PlanError } from '../../src/plan/validate.js';
import { Testing } from '../../src/testing/index.js';
import { stableStringify } from '../../src/plan/types.js';
import { redBlue } from './labs.js';
import { buildBridge, buildRedBlue } from '../../examples/topologies.js';

const CLI = new URL('../../dist/src/cli/main.js', import.meta.url).pathname;

describe('Testing.synth', () => {
  it('returns the plan the builder declares, named and prefixed as asked', () => {
    const plan = Testing.synth(redBlue, { name: 'rb', prefix: 'x-' });
    expect(plan).toMatchObject({ version: 1, lab: 'rb', prefix: 'x-' });
    expect(Object.keys(plan.resources)).toEqual(['blue', 'blue-ip', 'cable', 'red', 'red-ip']);
    expect(plan.resources.red).toEqual({ type: 'namespace', name: 'x-red', loopbackUp: true, sysctls: {}, path: 'rb/red' });
  });

  it('gives the same document on every call, keys sorted at every level, whatever NSLAB_PREFIX says', () => {
    const first = Testing.synth(redBlue);
    const saved = process.env.NSLAB_PREFIX;
    process.env.NSLAB_PREFIX = 'env-';
    try {
      expect(Testing.synth(redBlue)).toEqual(first);
    } finally {
      if (saved === undefined) delete process.env.NSLAB_PREFIX;
      else process.env.NSLAB_PREFIX = saved;
    }
    expect(JSON.stringify(first, null, 1)).toBe(JSON.stringify(JSON.parse(stableStringify(first)), null, 1));
    expect(JSON.stringify(first)).not.toMatch(/"(time|date|created|generated)/iu);
  });

  it('reports invalid constructs as a PlanError listing each problem with its path', () => {
    const bad = (lab: Lab) => {
      const red = new NetNamespace(lab, 'red');
      const blue = new NetNamespace(lab, 'blue');
      const cable = new VethLink(lab, 'cable', { a: { namespace: red }, b: { namespace: blue } });
      new IpAddress(lab, 'red-ip', { device: cable.a, address: '10.0.0.300/24' });
    };
    expect(() => Testing.synth(bad)).toThrow(PlanError);
    expect(() => Testing.synth(bad)).toThrow(/\[lab\/red-ip\] address "10\.0\.0\.300\/24"/u);
  });

  it('refuses a builder that returns a promise (it declares its constructs too late)', () => {
    expect(() => Testing.synth(async () => undefined)).toThrow(/synchronously/u);
  });
});

describe('the seed topologies the snapshot example uses', () => {
  it('are the labs of examples/red-blue.ts and examples/bridge.ts, as nslab synth writes them', () => {
    const out = mkdtempSync(join(tmpdir(), 'nslab-synth-'));
    try {
      for (const file of ['examples/red-blue.ts', 'examples/bridge.ts']) execFileSync(process.execPath, [CLI, 'synth', file, '--out', out], { stdio: 'pipe' });
      const written = (lab: string) => JSON.parse(readFileSync(join(out, `${lab}.plan.json`), 'utf8'));
      expect(Testing.synth(buildRedBlue, { name: 'red-blue' })).toEqual(written('red-blue'));
      expect(Testing.synth(buildBridge, { name: 'bridge' })).toEqual(written('bridge'));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
