/**
 * netns_vxlan: the schema, Terraform objects <-> plan resources, and on the real kernel the
 * per-resource API the provider runs on (create, read with drift, plan a replacement, delete)
 * and the provider's own handlers (plan with the default port, forced replacement, import).
 */
import { randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { IMPORT_IDS, RESOURCES, getProviderSchemaResponse, providerSchemaJson } from '../../src/terraform/schema.js';
import { fromResource, idOf, importedVxlan, normalize, parseImportId } from '../../src/terraform/resources.js';
import { ProviderService } from '../../src/terraform/provider.js';
import { UNKNOWN, fromDynamic, toDynamic, type ObjectValue } from '../../src/terraform/values.js';
import { applyResource, planResource, readResource } from '../../src/engine/index.js';
import { ownerKey } from '../../src/engine/state/state.js';
import { ownerMarker, type NamespaceResource, type VxlanResource } from '../../src/plan/types.js';
import { describeKernel, ip, kernelFixture, namespacesWith, tryIp } from '../support/kernel.js';

type J = Record<string, unknown>;
const config = (over: ObjectValue = {}): ObjectValue => ({
  id: null, namespace: 'red', name: 'vx0', vni: 42, local: '192.0.2.1', remote: '192.0.2.2', port: null, mtu: null, up: null, ...over,
});

describe('the netns_vxlan schema', () => {
  it('is in the provider schema with its attributes, in both forms', () => {
    const a = RESOURCES.netns_vxlan.attributes;
    expect(Object.keys(a).sort()).toEqual(['id', 'local', 'mtu', 'name', 'namespace', 'port', 'remote', 'up', 'vni']);
    expect(Object.entries(a).filter(([, x]) => x.forceNew).map(([k]) => k).sort()).toEqual(['local', 'name', 'namespace', 'port', 'remote', 'vni']);
    expect(Object.entries(a).filter(([, x]) => x.required).map(([k]) => k).sort()).toEqual(['local', 'name', 'namespace', 'remote', 'vni']);
    expect(a.port).toMatchObject({ type: 'number', optional: true, computed: true, default: 4789 });
    expect(a.up).toMatchObject({ type: 'bool', optional: true, default: true });
    expect(a.mtu).toMatchObject({ type: 'number', optional: true });
    expect(a.id).toMatchObject({ computed: true });
    expect(IMPORT_IDS.netns_vxlan).toBe('NS|NAME');
    expect(getProviderSchemaResponse().resource_schemas.netns_vxlan.block.attributes.map((x: { name: string }) => x.name)).toEqual(['id', 'local', 'mtu', 'name', 'namespace', 'port', 'remote', 'up', 'vni']);
    const json = providerSchemaJson() as { provider_schemas: Record<string, { resource_schemas: Record<string, { block: { attributes: Record<string, J> } }> }> };
    expect(json.provider_schemas['registry.terraform.io/nslab/netns']!.resource_schemas.netns_vxlan!.block.attributes.vni).toMatchObject({ type: 'number', required: true });
  });
});

describe('netns_vxlan objects', () => {
  it('map onto plan resources of type vxlan, port 4789 and up by default; id NS|NAME', () => {
    const n = normalize('netns_vxlan', config());
    expect(n).toEqual({
      resource: { type: 'vxlan', path: 'netns_vxlan', namespace: 'red', name: 'vx0', vni: 42, local: '192.0.2.1', remote: '192.0.2.2', port: 4789, mtu: undefined, up: true },
      problems: [],
    });
    expect(idOf(n.resource!)).toBe('red|vx0');
    expect(fromResource('netns_vxlan', n.resource!)).toEqual({ id: 'red|vx0', namespace: 'red', name: 'vx0', vni: 42, local: '192.0.2.1', remote: '192.0.2.2', port: 4789, mtu: null, up: true });
  });

  it('keeps the user\'s spelling of an IPv6 address that means the same', () => {
    const o = config({ local: 'FD00:0::1', remote: 'fd00::0002' });
    const r = normalize('netns_vxlan', o).resource!;
    expect(r).toMatchObject({ local: 'fd00::1', remote: 'fd00::2' });
    expect(fromResource('netns_vxlan', r, o)).toMatchObject({ local: 'FD00:0::1', remote: 'fd00::0002' });
  });

  it('blames each problem on its attribute', () => {
    const blamed = (o: ObjectValue) => normalize('netns_vxlan', config(o)).problems.map((p) => p.attribute);
    expect(blamed({ vni: 0 })).toEqual(['vni']);
    expect(blamed({ port: 70000 })).toEqual(['port']);
    expect(blamed({ local: 'x' })).toEqual(['local']);
    expect(blamed({ remote: 'fd00::2' })).toEqual(['remote']);
    expect(blamed({ mtu: 10 })).toEqual(['mtu']);
    expect(blamed({ name: 'a-name-that-is-too-long' })).toEqual(['name']);
    expect(blamed({ namespace: null })).toEqual(['namespace']);
  });

  it('does not judge values not known yet', () => {
    for (const k of ['vni', 'local', 'remote', 'port', 'namespace', 'mtu', 'up']) {
      expect(normalize('netns_vxlan', config({ [k]: UNKNOWN }))).toEqual({ resource: undefined, problems: [] });
    }
  });

  it('import ids name the device; the tunnel comes from the live link', () => {
    const o = parseImportId('netns_vxlan', 'red|vx0') as ObjectValue;
    expect(o).toMatchObject({ namespace: 'red', name: 'vx0', vni: null, up: true });
    const link = { ifindex: 2, name: 'vx0', kind: 'vxlan', mtu: 1450, up: true, addresses: [], vxlan: { vni: 7, local: '192.0.2.1', remote: '192.0.2.2', port: 4789 } };
    expect(importedVxlan(o, link)).toMatchObject({ vni: 7, local: '192.0.2.1', remote: '192.0.2.2', port: 4789 });
    expect(importedVxlan(o, undefined)).toEqual({ message: 'there is no interface "vx0" in namespace "red"' });
    expect(importedVxlan(o, { ...link, kind: 'bridge', vxlan: undefined })).toEqual({ message: 'interface "vx0" in namespace "red" is a bridge, not a vxlan' });
  });
});

describeKernel('netns_vxlan on the kernel', () => {
  const fx = kernelFixture();
  const P = fx.prefix;
  const LAB = `${P}tf`;
  const opts = { stateDir: fx.stateDir };
  const NS = `${P}a`;
  const VNI = randomInt(100_000, 8_000_000);
  const ns: NamespaceResource = { type: 'namespace', path: 'netns_namespace', name: NS, loopbackUp: true, sysctls: {} };
  const vx: VxlanResource = { type: 'vxlan', path: 'netns_vxlan', namespace: NS, name: 'vx0', vni: VNI, local: '127.0.0.1', remote: '127.0.0.2', port: 4789, mtu: 1450, up: true };
  const live = (): J | undefined => {
    const r = tryIp('-n', NS, '-d', '-j', 'link', 'show', 'dev', 'vx0');
    return r.ok ? (JSON.parse(r.out) as J[])[0] : undefined;
  };
  const tunnel = () => ((live()?.linkinfo as J | undefined)?.info_data ?? {}) as J;

  it('the per-resource API creates, reads (with drift), plans a replacement and deletes a vxlan', async () => {
    await applyResource(LAB, undefined, ns, opts);
    expect(await planResource(LAB, undefined, vx, opts)).toMatchObject({ changes: [{ action: 'create', type: 'vxlan' }], conflicts: [] });
    await applyResource(LAB, undefined, vx, opts);
    expect(tunnel()).toMatchObject({ id: VNI, local: '127.0.0.1', remote: '127.0.0.2', port: 4789 });
    expect(live()).toMatchObject({ mtu: 1450, ifalias: ownerMarker(ownerKey(fx.stateDir, LAB)) });
    expect(await readResource(LAB, vx, opts)).toEqual(vx);
    expect((await planResource(LAB, vx, vx, opts)).changes).toEqual([]);

    // Drift: the read reports the kernel's MTU and state.
    ip('-n', NS, 'link', 'set', 'dev', 'vx0', 'mtu', '1400', 'down');
    expect(await readResource(LAB, vx, opts)).toEqual({ ...vx, mtu: 1400, up: false });
    await applyResource(LAB, vx, vx, opts);
    expect(await readResource(LAB, vx, opts)).toEqual(vx);

    // Another VNI is a replacement; applied, the device has it.
    const next = { ...vx, vni: VNI + 1 };
    expect((await planResource(LAB, vx, next, opts)).changes.map((c) => `${c.action} ${c.fields.map((f) => f.field).join(',')}`)).toEqual(['replace vni']);
    await applyResource(LAB, vx, next, opts);
    expect(tunnel()).toMatchObject({ id: VNI + 1 });
    // The former form reads as gone (the kernel's device is another one now).
    expect(await readResource(LAB, vx, opts)).toBeUndefined();

    await applyResource(LAB, next, undefined, opts);
    expect(live()).toBeUndefined();
    expect(await readResource(LAB, next, opts)).toBeUndefined();
    await applyResource(LAB, ns, undefined, opts);
    expect(namespacesWith(P)).toEqual([]);
    expect(existsSync(join(fx.stateDir, `${LAB}.state.json`))).toBe(false);
  });

  it('the provider plans the default port, forces a replacement for a new VNI, and imports a vxlan by NS|NAME', async () => {
    const svc = new ProviderService({ stateDir: fx.stateDir });
    expect(svc.ConfigureProvider({ config: toDynamic({ lab: LAB }) }).diagnostics).toEqual([]);
    const nsObj = { id: null, name: NS, loopback_up: null, sysctls: null };
    const nsPlan = await svc.PlanResourceChange({ type_name: 'netns_namespace', prior_state: toDynamic(null), proposed_new_state: toDynamic(nsObj), config: toDynamic(nsObj) });
    const nsState = await svc.ApplyResourceChange({ type_name: 'netns_namespace', prior_state: toDynamic(null), planned_state: nsPlan.planned_state, config: toDynamic(nsObj) });
    expect(nsState.diagnostics).toEqual([]);

    const cfg = config({ namespace: NS, vni: VNI, local: '127.0.0.1', remote: '127.0.0.2', mtu: 1450 });
    const p = await svc.PlanResourceChange({ type_name: 'netns_vxlan', prior_state: toDynamic(null), proposed_new_state: toDynamic(cfg), config: toDynamic(cfg) });
    expect(p.diagnostics).toEqual([]);
    expect(fromDynamic(p.planned_state)).toMatchObject({ port: 4789, up: true });
    const a = await svc.ApplyResourceChange({ type_name: 'netns_vxlan', prior_state: toDynamic(null), planned_state: p.planned_state, config: toDynamic(cfg) });
    expect(a.diagnostics).toEqual([]);
    const s = fromDynamic(a.new_state) as ObjectValue;
    expect(s).toEqual({ id: `${NS}|vx0`, namespace: NS, name: 'vx0', vni: VNI, local: '127.0.0.1', remote: '127.0.0.2', port: 4789, mtu: 1450, up: true });
    expect(tunnel()).toMatchObject({ id: VNI, port: 4789 });

    const again = { ...cfg, vni: VNI + 1, port: 4789 };
    const r = await svc.PlanResourceChange({ type_name: 'netns_vxlan', prior_state: toDynamic(s), proposed_new_state: toDynamic(again), config: toDynamic(again) });
    expect(r.requires_replace.map((x: { steps: Array<{ attribute_name: string }> }) => x.steps[0]!.attribute_name)).toEqual(['vni']);

    const imported = await svc.ImportResourceState({ type_name: 'netns_vxlan', id: `${NS}|vx0` });
    expect(imported.diagnostics).toEqual([]);
    expect(fromDynamic(imported.imported_resources[0].state)).toEqual({ ...s, mtu: null });
    const missing = await svc.ImportResourceState({ type_name: 'netns_vxlan', id: `${NS}|vx9` });
    expect(missing.diagnostics.map((d: { summary: string }) => d.summary)).toEqual([`cannot import netns_vxlan "${NS}|vx9": there is no interface "vx9" in namespace "${NS}"`]);

    const del = await svc.ApplyResourceChange({ type_name: 'netns_vxlan', prior_state: toDynamic(s), planned_state: toDynamic(null), config: toDynamic(null) });
    expect(del.diagnostics).toEqual([]);
    expect(live()).toBeUndefined();
    const delNs = await svc.ApplyResourceChange({ type_name: 'netns_namespace', prior_state: nsState.new_state, planned_state: toDynamic(null), config: toDynamic(null) });
    expect(delNs.diagnostics).toEqual([]);
    expect(namespacesWith(P)).toEqual([]);
  });
});
