/**
 * What the provider records in nslab's state store, over the protocol and on the real kernel:
 * one record per resource in `<dir>/<lab>.state.json` (managedBy terraform), added by each create
 * and dropped by each delete; `nslab gc` takes none of it for orphans (and does once a record is
 * missing); `nslab show` marks the lab as Terraform's; `nslab apply` refuses its key; and when
 * the provider and Terraform's state are gone, `nslab destroy --lab` removes all of it.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { UNKNOWN, fromDynamic, toDynamic, type ObjectValue, type Value } from '../../src/terraform/values.js';
import { startProvider, type Msg, type PluginClient } from './support/plugin-client.js';
import { describeKernel, hostLinksWith, ip, kernelFixture, namespacesWith, ping } from '../support/kernel.js';

const exec = promisify(execFile);
const ROOT = new URL('../..', import.meta.url).pathname;
const CLI = join(ROOT, 'dist/src/cli/main.js');

const dv = (v: Value) => toDynamic(v);
const state = (m: { msgpack?: Uint8Array } | undefined) => fromDynamic(m) as ObjectValue | null;
const errors = (res: Msg) => ((res.diagnostics ?? []) as Array<{ severity: string; summary: string }>).filter((d) => d.severity === 'ERROR').map((d) => d.summary);
const replacePaths = (res: Msg) => ((res.requires_replace ?? []) as Array<{ steps: Array<{ attribute_name: string }> }>).map((p) => p.steps.map((s) => s.attribute_name).join('.'));

describeKernel('the provider records its objects in the nslab state store', () => {
  const fx = kernelFixture();
  const P = fx.prefix;
  // The key `nslab apply examples/red-blue.ts` gets under NSLAB_PREFIX=P: the provider takes it first.
  const LAB = `${P}red-blue`;
  const stateFile = join(fx.stateDir, `${LAB}.state.json`);
  const BR = `${P}br`;
  let client: PluginClient | undefined;

  const nslab = async (args: string[], env: NodeJS.ProcessEnv = {}) => {
    try {
      const r = await exec(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, NSLAB_STATE_DIR: fx.stateDir, ...env } });
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (e) {
      const x = e as { code: number; stdout: string; stderr: string };
      return { code: x.code, stdout: x.stdout, stderr: x.stderr };
    }
  };
  const labState = () => JSON.parse(readFileSync(stateFile, 'utf8')) as { managedBy?: string; resources: Record<string, unknown>; pending?: unknown };
  const records = () => (existsSync(stateFile) ? Object.keys(labState().resources).sort() : []);

  beforeAll(async () => {
    client = await startProvider({ env: { NSLAB_STATE_DIR: fx.stateDir } });
    expect(errors(await client.call('ConfigureProvider', { terraform_version: '1.11.4', config: dv({ lab: LAB }) }))).toEqual([]);
  });
  afterAll(async () => {
    // What a failed test leaves in the kernel and the state store, the fixture's sweep removes.
    await client?.shutdown();
  });

  const call = (method: Parameters<PluginClient['call']>[0], req: Msg) => client!.call(method, req);
  const plan = (type: string, prior: Value, proposed: Value, config: Value = proposed) =>
    call('PlanResourceChange', { type_name: type, prior_state: dv(prior), proposed_new_state: dv(proposed), config: dv(config) });

  /** Terraform's create: plan from the configuration, apply the planned state. */
  async function create(type: string, config: ObjectValue): Promise<ObjectValue> {
    const p = await plan(type, null, config);
    expect(errors(p)).toEqual([]);
    const a = await call('ApplyResourceChange', { type_name: type, prior_state: dv(null), planned_state: p.planned_state, config: dv(config) });
    expect(errors(a)).toEqual([]);
    const s = state(a.new_state)!;
    await expectNoChange(type, s, config);
    return s;
  }

  /** Terraform's refresh and plan with the same configuration: the object reads back as it is, and no change is planned. */
  async function expectNoChange(type: string, s: ObjectValue, config: ObjectValue) {
    const read = await call('ReadResource', { type_name: type, current_state: dv(s) });
    expect(errors(read)).toEqual([]);
    expect(state(read.new_state)).toEqual(s);
    // Terraform proposes the configuration with the prior values of unset optional+computed attributes.
    const proposed = Object.fromEntries(Object.entries(config).map(([k, v]) => [k, v === null ? s[k]! : v]));
    const p = await plan(type, s, proposed, config);
    expect(errors(p)).toEqual([]);
    expect(state(p.planned_state)).toEqual(s);
    expect(replacePaths(p)).toEqual([]);
  }

  async function destroy(type: string, s: ObjectValue) {
    const p = await plan(type, s, null, null);
    expect(errors(p)).toEqual([]);
    expect(state(p.planned_state)).toBeNull();
    const a = await call('ApplyResourceChange', { type_name: type, prior_state: dv(s), planned_state: dv(null), config: dv(null) });
    expect(errors(a)).toEqual([]);
    expect(state(a.new_state)).toBeNull();
    // Refreshed afterwards, it is gone: Terraform would plan to create it again.
    expect(state((await call('ReadResource', { type_name: type, current_state: dv(s) })).new_state)).toBeNull();
  }

  const nsConfig = (name: string): ObjectValue => ({ id: null, name, loopback_up: null, sysctls: null });
  const vethConfig = (n: number): ObjectValue => ({
    id: null, a_namespace: `${P}n${n}`, a_name: 'eth0', a_master: null, a_mac: null,
    b_namespace: null, b_name: `${P}v${n}`, b_master: BR, b_mac: null, mtu: null, up: null,
  });
  const addrConfig = (n: number): ObjectValue => ({ id: null, namespace: `${P}n${n}`, device: 'eth0', address: `10.61.0.${n}/24` });
  const R = {
    ns: (n: number) => `terraform:namespace ${P}n${n}`,
    br: `terraform:link /${BR}`,
    veth: (n: number) => `terraform:veth ${P}n${n}/eth0 /${P}v${n}`,
    addr: (n: number) => `terraform:address ${P}n${n}/eth0/10.61.0.${n}/24`,
  };
  const objects: Record<string, ObjectValue> = {};

  it('records each created object as it is created, in a lab marked as managed by Terraform', async () => {
    const expected: string[] = [];
    const step = async (key: string, record: string, type: string, config: ObjectValue) => {
      objects[key] = await create(type, config);
      expected.push(record);
      expect(records()).toEqual([...expected].sort());
      expect(labState().managedBy).toBe('terraform');
      expect(labState().pending).toBeUndefined();
    };
    await step('n1', R.ns(1), 'netns_namespace', nsConfig(`${P}n1`));
    await step('n2', R.ns(2), 'netns_namespace', nsConfig(`${P}n2`));
    await step('br', R.br, 'netns_bridge', { id: null, namespace: null, name: BR, mtu: null, mac: null, up: null });
    await step('v1', R.veth(1), 'netns_veth_link', vethConfig(1));
    await step('v2', R.veth(2), 'netns_veth_link', vethConfig(2));
    await step('a1', R.addr(1), 'netns_ip_address', addrConfig(1));
    await step('a2', R.addr(2), 'netns_ip_address', addrConfig(2));
    expect(JSON.parse(ip('-j', 'link', 'show', `${P}v1`))[0].master).toBe(BR);
    expect(ping(`${P}n1`, '10.61.0.2')).toBe(true);
  });

  it('nslab gc --dry-run takes none of it for an orphan', async () => {
    const r = await nslab(['gc', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^no orphans/mu);
    expect(r.stdout).not.toContain(P);
  });

  it('nslab show lists the lab as managed by Terraform, without drift', async () => {
    const r = await nslab(['show', '--lab', LAB]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`lab ${LAB} (managed by Terraform, provider nslab/netns):`);
    const json = JSON.parse((await nslab(['show', '--lab', LAB, '--json'])).stdout) as Array<{ key: string; managedBy: string; resources: Array<{ id: string; drift: unknown }>; undeclared: unknown[] }>;
    expect(json).toHaveLength(1);
    expect(json[0]).toMatchObject({ key: LAB, managedBy: 'terraform', undeclared: [] });
    expect(json[0]!.resources.map((x) => x.id).sort()).toEqual(records());
    expect(json[0]!.resources.filter((x) => x.drift)).toEqual([]);
  });

  it('a record missing from the state makes gc see its object as an orphan (what gc would do if it ignored records)', async () => {
    const saved = readFileSync(stateFile, 'utf8');
    try {
      const s = JSON.parse(saved) as { resources: Record<string, unknown> };
      delete s.resources[R.ns(2)];
      delete s.resources[R.veth(2)];
      writeFileSync(stateFile, JSON.stringify(s));
      const r = await nslab(['gc', '--dry-run']);
      expect(r.code).toBe(0);
      expect(r.stdout.split('\n').filter((l) => l.includes(P)).sort()).toEqual([
        `would remove link ${P}v2 (marked for lab ${LAB}, which does not claim it)`,
        `would remove namespace ${P}n2 (marked for lab ${LAB}, which does not claim it)`,
      ]);
    } finally {
      writeFileSync(stateFile, saved);
    }
    expect((await nslab(['gc', '--dry-run'])).stdout).not.toContain(P);
  });

  it('nslab apply refuses a lab whose key the provider manages, and changes nothing', async () => {
    const before = readFileSync(stateFile, 'utf8');
    const r = await nslab(['apply', 'examples/red-blue.ts', '--auto-approve'], { NSLAB_PREFIX: P });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`lab ${LAB} is managed by Terraform (provider nslab/netns)`);
    expect(namespacesWith(P).sort()).toEqual([`${P}n1`, `${P}n2`]);
    expect(readFileSync(stateFile, 'utf8')).toBe(before);
  });

  it('drops each record as its object is deleted', async () => {
    await destroy('netns_ip_address', objects.a2!);
    expect(records()).not.toContain(R.addr(2));
    await destroy('netns_veth_link', objects.v2!);
    expect(records()).not.toContain(R.veth(2));
    await destroy('netns_namespace', objects.n2!);
    expect(records()).toEqual([R.addr(1), R.br, R.ns(1), R.veth(1)].sort());
    expect(namespacesWith(P)).toEqual([`${P}n1`]);
    expect(hostLinksWith(P).sort()).toEqual([BR, `${P}v1`]);
    for (const k of ['n1', 'br', 'v1'] as const) expect(objects[k]).toBeDefined();
    await expectNoChange('netns_namespace', objects.n1!, nsConfig(`${P}n1`));
    expect((await nslab(['gc', '--dry-run'])).stdout).not.toContain(P);
  });

  it('when the provider is killed and Terraform\'s state is lost, nslab destroy --lab removes everything', async () => {
    client!.process.kill('SIGKILL');
    await client!.shutdown();
    client = undefined;
    for (const k of Object.keys(objects)) delete objects[k];
    const r = await nslab(['destroy', '--lab', LAB, '--auto-approve']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`lab ${LAB}: destroyed: 4 objects removed`, 'u'));
    expect(namespacesWith(P)).toEqual([]);
    expect(hostLinksWith(P)).toEqual([]);
    expect(existsSync(stateFile)).toBe(false);
    expect((await nslab(['show'])).stdout).not.toContain(LAB);
    expect((await nslab(['gc', '--dry-run'])).stdout).not.toContain(P);
  });

  it('the provider refuses a lab key that nslab apply manages', async () => {
    expect((await nslab(['apply', 'examples/red-blue.ts', '--auto-approve'], { NSLAB_PREFIX: P })).code).toBe(0);
    const other = await startProvider({ env: { NSLAB_STATE_DIR: fx.stateDir } });
    try {
      expect(errors(await other.call('ConfigureProvider', { terraform_version: '1.11.4', config: dv({ lab: LAB }) }))).toEqual([]);
      const config = nsConfig(`${P}n3`);
      const p = await other.call('PlanResourceChange', { type_name: 'netns_namespace', prior_state: dv(null), proposed_new_state: dv(config), config: dv(config) });
      const a = await other.call('ApplyResourceChange', { type_name: 'netns_namespace', prior_state: dv(null), planned_state: p.planned_state, config: dv(config) });
      expect(errors(a)).toEqual([expect.stringContaining(`lab ${LAB} was applied by nslab apply, not by Terraform`)]);
      expect(state(a.new_state)).toBeNull();
      expect(namespacesWith(`${P}n3`)).toEqual([]);
      expect(labState().managedBy).toBeUndefined();
    } finally {
      await other.shutdown();
    }
    expect((await nslab(['destroy', 'examples/red-blue.ts', '--auto-approve'], { NSLAB_PREFIX: P })).code).toBe(0);
    expect(namespacesWith(P)).toEqual([]);
    expect(existsSync(stateFile)).toBe(false);
  });

  it('records nothing for a plan alone', async () => {
    const other = await startProvider({ env: { NSLAB_STATE_DIR: fx.stateDir } });
    try {
      await other.call('ConfigureProvider', { terraform_version: '1.11.4', config: dv({ lab: LAB }) });
      const config = nsConfig(`${P}n4`);
      const p = await other.call('PlanResourceChange', { type_name: 'netns_namespace', prior_state: dv(null), proposed_new_state: dv(config), config: dv(config) });
      expect(state(p.planned_state)).toEqual({ ...config, id: UNKNOWN, loopback_up: true });
      expect(namespacesWith(P)).toEqual([]);
      expect(existsSync(stateFile)).toBe(false);
    } finally {
      await other.shutdown();
    }
  });
});
