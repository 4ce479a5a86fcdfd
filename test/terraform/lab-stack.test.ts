/**
 * nslab constructs inside a cdktf stack: one topology function serves an nslab Lab and a cdktf
 * stack, and the stack synthesizes to netns_* resources whose references follow the topology.
 * Through the package's entry points, as the examples use them (needs `npm run build`).
 */
import { App as CdktfApp, Testing } from 'cdktf';
import { App, Lab, NetNamespace, Sysctl, type PlanDocument } from 'nslab';
import { LabStack, emitLab, cdkLibraryName } from 'nslab/cdktf';
import { synthesize } from 'nslab/engine';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBridge, buildRedBlue } from '../../examples/topologies.js';

const CLI = new URL('../../dist/src/cli/main.js', import.meta.url).pathname;
type Json = Record<string, Record<string, Record<string, Record<string, unknown>>>>;
const synthJson = (stack: LabStack): Json => JSON.parse(Testing.synth(stack)) as Json;
const planOf = (build: (lab: Lab) => void, name: string): PlanDocument => {
  const app = new App({ outdir: '/nonexistent' });
  build(new Lab(app, name));
  return synthesize(app)[0]!;
};

/** What `nslab synth FILE` writes for a lab file (the CLI bundles lab files with esbuild and runs them in its own process, which jest cannot host). */
function synthFile(file: string): PlanDocument {
  const out = mkdtempSync(join(tmpdir(), 'nslab-synth-'));
  try {
    const env = { ...process.env };
    delete env.NSLAB_PREFIX;
    execFileSync(process.execPath, [CLI, 'synth', file, '--out', out], { env, stdio: 'pipe' });
    const [plan] = readdirSync(out);
    return JSON.parse(readFileSync(join(out, plan!), 'utf8')) as PlanDocument;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

describe('the seed topologies as functions', () => {
  const prefix = process.env.NSLAB_PREFIX;
  beforeAll(() => delete process.env.NSLAB_PREFIX);
  afterAll(() => {
    if (prefix !== undefined) process.env.NSLAB_PREFIX = prefix;
  });

  it('buildRedBlue gives exactly the plan of examples/red-blue.ts', () => {
    expect(planOf(buildRedBlue, 'red-blue')).toEqual(synthFile('examples/red-blue.ts'));
  });

  it('buildBridge gives exactly the plan of examples/bridge.ts', () => {
    expect(planOf(buildBridge, 'bridge')).toEqual(synthFile('examples/bridge.ts'));
  });
});

describe('LabStack', () => {
  it('uses cdktf here, where cdktn is not installed', () => {
    expect(cdkLibraryName).toBe('cdktf');
  });

  it('turns the red-blue lab into namespaces, a veth and addresses that reference each other', () => {
    const json = synthJson(new LabStack(Testing.app(), 'red-blue', buildRedBlue));
    expect(json.provider).toEqual({ netns: [{ lab: 'red-blue' }] });
    expect(json.terraform!.required_providers).toEqual({ netns: { source: 'registry.terraform.io/nslab/netns', version: '0.1.0' } });
    const r = json.resource!;
    expect(Object.keys(r.netns_namespace!).sort()).toEqual(['blue', 'red']);
    expect(r.netns_veth_link!.cable).toMatchObject({
      a_name: 'veth-red', a_namespace: '${netns_namespace.red.name}', b_name: 'veth-blue', b_namespace: '${netns_namespace.blue.name}', up: true,
    });
    expect(r.netns_ip_address!['red-ip']).toMatchObject({
      address: '10.10.0.1/24', device: '${netns_veth_link.cable.a_name}', namespace: '${netns_namespace.red.name}',
    });
  });

  it('makes bridge ports reference the bridge and routes depend on the addresses of their namespace', () => {
    const json = synthJson(new LabStack(Testing.app(), 'bridge', buildBridge));
    const r = json.resource!;
    expect(r.netns_veth_link!['red-link']).toMatchObject({ b_master: '${netns_bridge.br0.name}', b_name: 'br0-red' });
    expect(r.netns_veth_link!['red-link']).not.toHaveProperty('b_namespace');
    expect(r.netns_ip_address!['br0-ip']).toMatchObject({ device: '${netns_bridge.br0.name}' });
    expect(r.netns_route!['red-default']).toMatchObject({
      destination: 'default', via: '10.20.0.254', namespace: '${netns_namespace.red.name}', depends_on: ['netns_ip_address.red-ip'],
    });
  });

  it('turns a host Sysctl into netns_sysctl', () => {
    const json = synthJson(new LabStack(Testing.app(), 'host', (lab) => {
      buildBridge(lab);
      new Sysctl(lab, 'br0-fwd', { key: 'net.ipv4.conf.br0.forwarding', value: '1' });
    }));
    // Made after the bridge whose key it is.
    expect(json.resource!.netns_sysctl).toEqual({ 'br0-fwd': { key: 'net.ipv4.conf.br0.forwarding', value: '1', provider: 'netns', depends_on: ['netns_bridge.br0'] } });
  });

  it('prefixes global names with NSLAB_PREFIX and uses the prefixed lab key as the ownership key', () => {
    const prefix = process.env.NSLAB_PREFIX;
    process.env.NSLAB_PREFIX = 'ci1';
    try {
      const json = synthJson(new LabStack(Testing.app(), 'bridge', buildBridge));
      expect(json.provider).toEqual({ netns: [{ lab: 'ci1bridge' }] });
      expect(json.resource!.netns_bridge!.br0).toMatchObject({ name: 'ci1br0' });
      expect(json.resource!.netns_namespace!.red).toMatchObject({ name: 'ci1red' });
    } finally {
      if (prefix === undefined) delete process.env.NSLAB_PREFIX;
      else process.env.NSLAB_PREFIX = prefix;
    }
  });

  it('reports the lab\'s validation problems, each with its construct path, before anything is synthesized', () => {
    const app = new CdktfApp({ outdir: '/nonexistent' });
    const stack = new LabStack(app, 'bad');
    new NetNamespace(stack.lab, 'ns', { name: 'x'.repeat(300) });
    expect(() => emitLab(stack, stack.lab)).toThrow(/\[bad\/bad\/ns\] namespace name "x+" is longer than 255 bytes/);
  });
});
