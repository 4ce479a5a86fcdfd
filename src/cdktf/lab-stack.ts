/**
 * nslab constructs inside a cdktf stack. A Lab built with the usual constructs (NetNamespace,
 * VethLink, Bridge, IpAddress, Route) is synthesized to its plan, with the same validation as
 * `nslab`, and each plan resource becomes one `netns_*` resource of the generated bindings.
 * Attributes that name another resource of the lab are Terraform references (namespace names,
 * veth end and bridge names), so Terraform's dependency graph follows the topology; a route also
 * depends on the addresses of its namespace (its gateway must be on a connected subnet).
 */
import { TerraformStack } from './cdk.js';
import { Construct } from 'constructs';
import { Lab, type LabProps } from '../../constructs/lab.js';
import { synthesize } from '../synth/synth.js';
import { HOST, TYPE_ORDER, labKey, loc, type HostSpec, type PlanDocument, type Resource } from '../plan/types.js';
import { NetnsProvider } from './generated/providers/netns/provider/index.js';
import { Namespace } from './generated/providers/netns/namespace/index.js';
import { Bridge } from './generated/providers/netns/bridge/index.js';
import { VethLink } from './generated/providers/netns/veth-link/index.js';
import { IpAddress } from './generated/providers/netns/ip-address/index.js';
import { Route } from './generated/providers/netns/route/index.js';
import { Masquerade } from './generated/providers/netns/masquerade/index.js';
import { PortForward } from './generated/providers/netns/port-forward/index.js';
import { Firewall } from './generated/providers/netns/firewall/index.js';
import { Sysctl } from './generated/providers/netns/sysctl/index.js';
import { Vxlan } from './generated/providers/netns/vxlan/index.js';
import { hostParts } from '../plan/hosts.js';
import { netfilterToObject, impairToMap } from '../terraform/netfilter.js';
import { sysctlDevice } from '../plan/validate.js';

/** A generated `netns_*` resource. */
export type NetnsResource = Namespace | Bridge | VethLink | IpAddress | Route | Masquerade | PortForward | Firewall | Sysctl | Vxlan;

export interface LabResources {
  /** The plan the resources were made from. */
  readonly plan: PlanDocument;
  /** The provider of a lab without hosts (with hosts: the first host's; see `providers`). */
  readonly provider: NetnsProvider;
  /**
   * A lab with hosts: one provider configuration per host, by host id (its alias), reaching that
   * machine over ssh; each resource uses its host's.
   */
  readonly providers: Record<string, NetnsProvider>;
  /** The `netns_*` resource of each plan resource, by plan id (the construct path below the lab). */
  readonly resources: Record<string, NetnsResource>;
}

export interface EmitOptions {
  /**
   * The provider the resources use.
   * @default - a new `NetnsProvider` whose `lab` (ownership key) is the lab's key, prefix + name,
   * the key `nslab apply` marks the same lab with
   */
  readonly provider?: NetnsProvider;
}

/** A Terraform map, or undefined for none. */
const map = (v: unknown) => (v === null ? undefined : (v as Record<string, string>));

/** A construct id for a plan id (`sub/x` -> `sub_x`); unique among the lab's resources. */
const idFor = (planId: string) => planId.replace(/\//gu, '_');

/**
 * Synthesizes `lab` (throws PlanError listing every problem, like `nslab synth`) and declares
 * one `netns_*` resource per plan resource in `scope`, with references following the topology.
 */
export function emitLab(scope: Construct, lab: Lab, opts: EmitOptions = {}): LabResources {
  const [plan] = synthesize(lab);
  if (!plan) throw new Error(`lab "${lab.node.path}" synthesized to no plan`);
  const resources: Record<string, NetnsResource> = {};
  const parts = hostParts(plan);
  if (!parts) {
    const provider = opts.provider ?? new NetnsProvider(scope, `${idFor(lab.node.id)}-provider`, { lab: labKey(plan) });
    emitResources(scope, plan, provider, resources);
    return { plan, provider, providers: {}, resources };
  }
  // One provider configuration per host (its alias is the host id), keyed `<lab key>.<host id>`.
  const providers: Record<string, NetnsProvider> = {};
  for (const part of parts) {
    providers[part.host] = new NetnsProvider(scope, `${idFor(lab.node.id)}-${part.host}-provider`, { alias: part.host, lab: labKey(part.plan), ...hostConfig(part.spec) });
    emitResources(scope, part.plan, providers[part.host]!, resources);
  }
  return { plan, provider: providers[parts[0]!.host]!, providers, resources };
}

/** A host's provider settings: `host` (ssh://…), the key and the state directory there. */
const hostConfig = (spec: HostSpec) => ({
  host: spec.ssh.startsWith('ssh://') ? spec.ssh : `ssh://${spec.ssh}`,
  ...(spec.identityFile ? { identityFile: spec.identityFile } : {}),
  ...(spec.stateDir ? { stateDir: spec.stateDir } : {}),
});

/** Declares one `netns_*` resource per resource of `plan` (one host's part, or a whole local lab) on `provider`. */
function emitResources(scope: Construct, plan: PlanDocument, provider: NetnsProvider, resources: Record<string, NetnsResource>): void {
  const namespaces = new Map<string, Namespace>();
  /** Devices by `location|name`: the attribute that names them (a reference). */
  const devices = new Map<string, string>();
  const addresses = new Map<string, IpAddress[]>();
  /** The resource that makes each device (`location|name`). */
  const linkOwners = new Map<string, Bridge | VethLink>();
  const nsRef = (ns: string | undefined) => (ns === undefined ? undefined : namespaces.get(ns)?.name ?? ns);
  const devRef = (ns: string | undefined, name: string) => devices.get(`${loc(ns)}|${name}`) ?? name;
  const meta = { provider };

  const ordered = Object.entries(plan.resources).sort(([, a], [, b]) => TYPE_ORDER.indexOf(a.type) - TYPE_ORDER.indexOf(b.type));
  for (const [id, r] of ordered as Array<[string, Resource]>) {
    const cid = idFor(id);
    switch (r.type) {
      case 'namespace': {
        const ns = new Namespace(scope, cid, {
          ...meta, name: r.name, loopbackUp: r.loopbackUp, sysctls: Object.keys(r.sysctls).length ? r.sysctls : undefined,
        });
        namespaces.set(r.name, ns);
        resources[id] = ns;
        break;
      }
      case 'bridge': {
        const br = new Bridge(scope, cid, { ...meta, namespace: nsRef(r.namespace), name: r.name, mtu: r.mtu, mac: r.mac, up: r.up, impair: map(impairToMap(r.impair)) });
        devices.set(`${loc(r.namespace)}|${r.name}`, br.name);
        linkOwners.set(`${loc(r.namespace)}|${r.name}`, br);
        resources[id] = br;
        break;
      }
      case 'veth': {
        const v = new VethLink(scope, cid, {
          ...meta,
          aNamespace: nsRef(r.a.namespace), aName: r.a.name, aMaster: r.a.master === undefined ? undefined : devRef(r.a.namespace, r.a.master), aMac: r.a.mac, aImpair: map(impairToMap(r.a.impair)),
          bNamespace: nsRef(r.b.namespace), bName: r.b.name, bMaster: r.b.master === undefined ? undefined : devRef(r.b.namespace, r.b.master), bMac: r.b.mac, bImpair: map(impairToMap(r.b.impair)),
          mtu: r.mtu, up: r.up,
        });
        devices.set(`${loc(r.a.namespace)}|${r.a.name}`, v.aName);
        devices.set(`${loc(r.b.namespace)}|${r.b.name}`, v.bName);
        for (const e of [r.a, r.b]) linkOwners.set(`${loc(e.namespace)}|${e.name}`, v);
        resources[id] = v;
        break;
      }
      case 'vxlan': {
        const v = new Vxlan(scope, cid, { ...meta, namespace: nsRef(r.namespace)!, name: r.name, vni: r.vni, local: r.local, remote: r.remote, port: r.port, mtu: r.mtu, up: r.up });
        devices.set(`${loc(r.namespace)}|${r.name}`, v.name);
        resources[id] = v;
        break;
      }
      case 'address': {
        const a = new IpAddress(scope, cid, { ...meta, namespace: nsRef(r.namespace), device: devRef(r.namespace, r.device), address: r.address });
        addresses.set(loc(r.namespace), [...(addresses.get(loc(r.namespace)) ?? []), a]);
        resources[id] = a;
        break;
      }
      case 'route': {
        resources[id] = new Route(scope, cid, {
          ...meta,
          namespace: nsRef(r.namespace),
          destination: r.destination === 'default' && r.family === 6 ? '::/0' : r.destination,
          via: r.via,
          device: r.device === undefined ? undefined : devRef(r.namespace, r.device),
          metric: r.metric,
          dependsOn: addresses.get(loc(r.namespace)) ?? [],
        });
        break;
      }
      case 'sysctl': {
        // A key of a host device the lab declares exists once that device does.
        const device = sysctlDevice(r.key);
        const owner = device === undefined ? undefined : linkOwners.get(`${HOST}|${device}`);
        resources[id] = new Sysctl(scope, cid, { ...meta, key: r.key, value: r.value, ...(owner ? { dependsOn: [owner] } : {}) });
        break;
      }
      default: {
        // Masquerade, port forward, firewall: interface names are references, so links come first.
        const o = netfilterToObject(r)!;
        const dev = (name: unknown) => (typeof name === 'string' ? devRef(r.namespace, name) : undefined);
        const common = { ...meta, namespace: nsRef(r.namespace), name: r.name };
        if (r.type === 'masquerade') resources[id] = new Masquerade(scope, cid, { ...common, source: r.source, outInterface: dev(r.outInterface)! });
        else if (r.type === 'port-forward') resources[id] = new PortForward(scope, cid, { ...common, inInterface: dev(r.inInterface), protocol: r.protocol, port: r.port, to: r.to });
        else if (r.type === 'firewall') {
          const rules = (o.rules as Array<Record<string, string>> | null)?.map((x) => ({ ...x, ...(x.in_interface ? { in_interface: dev(x.in_interface)! } : {}), ...(x.out_interface ? { out_interface: dev(x.out_interface)! } : {}) }));
          resources[id] = new Firewall(scope, cid, {
            ...common, input: r.input, forward: r.forward, output: r.output,
            allowEstablished: r.allowEstablished, allowLoopback: r.allowLoopback, allowPortForwards: r.allowPortForwards, rules,
          });
        }
      }
    }
  }
}

export interface LabStackProps extends LabProps {
  /**
   * The lab's name.
   * @default - the stack's id
   */
  readonly labName?: string;
}

/**
 * A cdktf stack holding one nslab Lab. Pass a build function that declares the topology in the
 * lab with the usual constructs (the resources are then declared at once), or declare it in
 * `stack.lab` afterwards (the `netns_*` resources are then declared when the app synthesizes,
 * or by `emit()`).
 *
 * ```ts
 * const app = new App();                       // cdktf's App
 * const stack = new LabStack(app, 'red-blue');
 * buildRedBlue(stack.lab);                     // the same function a plain nslab Lab uses
 * app.synth();
 * ```
 */
export class LabStack extends TerraformStack {
  /** The lab whose constructs the stack turns into `netns_*` resources. */
  readonly lab: Lab;
  private emitted?: LabResources;

  constructor(scope: Construct, id: string, build?: (lab: Lab) => void, props: LabStackProps = {}) {
    super(scope, id);
    this.lab = new Lab(this, props.labName ?? id, { prefix: props.prefix });
    if (build) {
      build(this.lab);
      this.emit();
    }
  }

  /** Declares the `netns_*` resources now (once); later changes to the lab are not seen. */
  emit(): LabResources {
    this.emitted ??= emitLab(this, this.lab);
    return this.emitted;
  }

  override prepareStack(): void {
    this.emit();
    super.prepareStack();
  }
}
