/**
 * The `nslab/netns` provider's RPC handlers (tfplugin6.Provider), independent of the transport.
 * Every kernel read and change goes through the engine's per-resource API (readResource,
 * planResource, applyResource): the same `ip -j` reader, diff and batched apply as `nslab apply`.
 */
import type { Resource } from '../plan/types.js';
import type { Msg } from './proto.js';
import { PROVIDER_ATTRIBUTES, RESOURCES, getProviderSchemaResponse, isResourceType, type ResourceTypeName } from './schema.js';
import { UNKNOWN, conform, fromDynamic, hasUnknown, isUnknown, toDynamic, type ObjectValue, type Value } from './values.js';
import { fromResource, importedResource, importedVxlan, normalize, parseImportId, type Problem } from './resources.js';
import { applyResource, parseSsh, planResource, processRunner, readLive, readResource, remoteEngine, renderConflicts, type Runner, type StateStore } from '../engine/index.js';

export const DEFAULT_LAB = 'terraform';
const LAB_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/u;

type Diagnostic = Msg;

/** An error diagnostic; with `attribute`, Terraform points at that attribute in the configuration. */
export function diagnostic(summary: string, detail = '', attribute?: string): Diagnostic {
  return {
    severity: 'ERROR', summary, detail,
    ...(attribute ? { attribute: { steps: [{ attribute_name: attribute }] } } : {}),
  };
}

const fromProblems = (ps: readonly Problem[]): Diagnostic[] => ps.map((p) => diagnostic(p.message, '', p.attribute));

/** An engine error as a diagnostic: first line as the summary, the rest as the detail. */
function fromError(e: unknown, what: string): Diagnostic {
  const text = e instanceof Error ? e.message : String(e);
  const [first, ...rest] = text.split('\n');
  return diagnostic(`${what}: ${first}`, rest.join('\n').trim());
}

const unknownType = (t: string): Diagnostic => diagnostic(`unknown resource type "${t}"`, `This provider has: ${Object.keys(RESOURCES).join(', ')}.`);

export interface ProviderOptions {
  readonly runner?: Runner;
  /** Where the provider records what it owns. Default: env NSLAB_STATE_DIR, else /var/lib/nslab (as the CLI). */
  readonly stateDir?: string;
}

/**
 * The tfplugin6 `Provider` service of `nslab/netns` (what Terraform talks to). Not to be confused
 * with the cdktf binding `NetnsProvider` (nslab/cdktf), which declares the provider in a stack.
 */
export class ProviderService {
  private lab = DEFAULT_LAB;
  private engine: { runner: Runner; stateDir?: string; store?: StateStore };

  constructor(opts: ProviderOptions = {}) {
    this.engine = { runner: opts.runner ?? processRunner, ...(opts.stateDir ? { stateDir: opts.stateDir } : {}) };
  }

  /** The ownership key: kernel markers read `nslab:<lab>`. */
  get key(): string {
    return this.lab;
  }

  GetMetadata(): Msg {
    return {
      server_capabilities: getProviderSchemaResponse().server_capabilities,
      diagnostics: [],
      data_sources: [],
      resources: Object.keys(RESOURCES).map((type_name) => ({ type_name })),
    };
  }

  GetProviderSchema(): Msg {
    return getProviderSchemaResponse();
  }

  GetFunctions(): Msg {
    return { diagnostics: [] };
  }

  private labProblems(config: ObjectValue | null): Diagnostic[] {
    const out: Diagnostic[] = [];
    const lab = config?.lab;
    if (typeof lab === 'string' ? !LAB_RE.test(lab) : lab !== null && lab !== undefined && !isUnknown(lab)) {
      out.push(diagnostic(`lab ${JSON.stringify(lab)} must be 1-63 letters, digits, "_", "." or "-", starting with a letter or digit`, '', 'lab'));
    }
    const host = config?.host;
    if (typeof host === 'string') {
      const t = host.startsWith('ssh://') ? parseSsh(host) : `host ${JSON.stringify(host)} must be ssh://user@address[:port]`;
      if (typeof t === 'string') out.push(diagnostic(t.replace(/^ssh /u, 'host '), '', 'host'));
    }
    for (const k of ['identity_file', 'state_dir']) {
      const v = config?.[k];
      if (typeof v === 'string' && !v.startsWith('/')) out.push(diagnostic(`${k} ${JSON.stringify(v)} must be an absolute path`, '', k));
    }
    return out;
  }

  ValidateProviderConfig(req: Msg): Msg {
    return { diagnostics: this.labProblems(conform(PROVIDER_ATTRIBUTES, fromDynamic(req.config))) };
  }

  ConfigureProvider(req: Msg): Msg {
    const config = conform(PROVIDER_ATTRIBUTES, fromDynamic(req.config));
    const diagnostics = this.labProblems(config);
    for (const k of ['lab', 'host', 'identity_file', 'state_dir']) {
      if (config && isUnknown(config[k]!)) diagnostics.push(diagnostic(`${k} must be known when the provider is configured`, '', k));
    }
    if (diagnostics.length) return { diagnostics };
    if (typeof config?.lab === 'string') this.lab = config.lab;
    const str = (k: string) => (typeof config?.[k] === 'string' ? (config[k] as string) : undefined);
    const host = str('host');
    if (host) {
      // Another machine: its kernel over ssh, its records and locks there (remote/store.ts).
      this.engine = remoteEngine(host, str('identity_file'), str('state_dir'));
    } else if (str('state_dir')) {
      this.engine = { ...this.engine, stateDir: str('state_dir') };
    }
    return { diagnostics };
  }

  ValidateResourceConfig(req: Msg): Msg {
    const type = String(req.type_name);
    if (!isResourceType(type)) return { diagnostics: [unknownType(type)] };
    const config = conform(RESOURCES[type].attributes, fromDynamic(req.config));
    if (!config) return { diagnostics: [] };
    return { diagnostics: fromProblems(normalize(type, config).problems) };
  }

  ValidateDataResourceConfig(req: Msg): Msg {
    return { diagnostics: [diagnostic(`unknown data source "${String(req.type_name)}"`, 'This provider has no data sources.')] };
  }

  UpgradeResourceState(req: Msg): Msg {
    const type = String(req.type_name);
    if (!isResourceType(type)) return { diagnostics: [unknownType(type)] };
    const json = req.raw_state?.json as Uint8Array | undefined;
    if (!json || json.length === 0) {
      return { diagnostics: [diagnostic(`cannot upgrade the state of ${type}: it is not JSON`, 'This provider never wrote flatmap state.')] };
    }
    const state = conform(RESOURCES[type].attributes, JSON.parse(Buffer.from(json).toString('utf8')) as Value);
    return { upgraded_state: toDynamic(state), diagnostics: [] };
  }

  /** The resource a fully known, valid object stands for, or the problems. */
  private resourceOf(type: ResourceTypeName, o: ObjectValue): { resource?: Resource; diagnostics: Diagnostic[] } {
    const n = normalize(type, o);
    return { resource: n.resource, diagnostics: fromProblems(n.problems) };
  }

  async ReadResource(req: Msg): Promise<Msg> {
    const type = String(req.type_name);
    if (!isResourceType(type)) return { diagnostics: [unknownType(type)] };
    const state = conform(RESOURCES[type].attributes, fromDynamic(req.current_state));
    if (!state) return { new_state: toDynamic(null), diagnostics: [] };
    const { resource } = type === 'netns_route' && state.via === null && state.device === null ? importedResource(type, state) : this.resourceOf(type, state);
    if (!resource) return { new_state: toDynamic(state), diagnostics: [], private: req.private };
    try {
      const live = await readResource(this.key, resource, this.engine);
      // Gone (or no longer ours): Terraform then plans to create it again.
      return { new_state: toDynamic(live ? fromResource(type, live, state) : null), diagnostics: [], private: req.private };
    } catch (e) {
      return { new_state: toDynamic(state), diagnostics: [fromError(e, `reading ${type} ${String(state.id)}`)], private: req.private };
    }
  }

  async PlanResourceChange(req: Msg): Promise<Msg> {
    const type = String(req.type_name);
    if (!isResourceType(type)) return { diagnostics: [unknownType(type)] };
    const spec = RESOURCES[type].attributes;
    const prior = conform(spec, fromDynamic(req.prior_state));
    const proposed = conform(spec, fromDynamic(req.proposed_new_state));
    const config = conform(spec, fromDynamic(req.config));
    if (!proposed) return { planned_state: toDynamic(null), requires_replace: [], diagnostics: [] };

    const planned: ObjectValue = { ...proposed };
    for (const [name, a] of Object.entries(spec)) {
      if (a.default !== undefined && (config?.[name] ?? null) === null) planned[name] = a.default;
    }
    const replace = prior
      ? Object.entries(spec).filter(([name, a]) => a.forceNew && (isUnknown(planned[name]!) || JSON.stringify(planned[name]) !== JSON.stringify(prior[name]))).map(([name]) => name)
      : [];
    const changed = prior !== null && Object.keys(spec).some((k) => k !== 'id' && JSON.stringify(planned[k]) !== JSON.stringify(prior[k]));
    planned.id = prior && replace.length === 0 ? prior.id! : UNKNOWN;

    const diagnostics: Diagnostic[] = [];
    if (!hasUnknown({ ...planned, id: null })) {
      const { resource, diagnostics: problems } = this.resourceOf(type, { ...planned, id: null });
      diagnostics.push(...problems);
      // Foreign objects in the way are errors now, not half-way through the apply.
      if (resource && (prior === null || changed)) {
        try {
          const priorRes = prior && replace.length === 0 ? this.resourceOf(type, prior).resource : undefined;
          const d = await planResource(this.key, priorRes, resource, this.engine);
          if (d.conflicts.length) diagnostics.push(diagnostic(`${type}: ${renderConflicts(d.conflicts).split('\n')[0]}`, renderConflicts(d.conflicts)));
        } catch (e) {
          diagnostics.push(fromError(e, `planning ${type}`));
        }
      }
    }
    return {
      planned_state: toDynamic(planned),
      requires_replace: replace.map((name) => ({ steps: [{ attribute_name: name }] })),
      diagnostics,
    };
  }

  async ApplyResourceChange(req: Msg): Promise<Msg> {
    const type = String(req.type_name);
    if (!isResourceType(type)) return { diagnostics: [unknownType(type)] };
    const spec = RESOURCES[type].attributes;
    const prior = conform(spec, fromDynamic(req.prior_state));
    const planned = conform(spec, fromDynamic(req.planned_state));
    const priorRes = prior ? this.resourceOf(type, prior).resource : undefined;
    if (!planned) {
      if (!priorRes) return { new_state: toDynamic(null), diagnostics: [] };
      try {
        await applyResource(this.key, priorRes, undefined, this.engine);
        return { new_state: toDynamic(null), diagnostics: [] };
      } catch (e) {
        return { new_state: toDynamic(prior), diagnostics: [fromError(e, `deleting ${type} ${String(prior!.id)}`)] };
      }
    }
    const { resource, diagnostics } = this.resourceOf(type, { ...planned, id: null });
    if (!resource) return { new_state: toDynamic(prior), diagnostics: diagnostics.length ? diagnostics : [diagnostic(`${type}: planned values are not known at apply time`)] };
    try {
      await applyResource(this.key, priorRes, resource, this.engine);
      return { new_state: toDynamic(fromResource(type, resource, planned)), diagnostics: [], private: req.planned_private };
    } catch (e) {
      // Nothing is recorded for a failed create (a clash with a foreign object changed nothing; a
      // half-made object carries the marker and the next create adopts it); an update keeps the prior state.
      return { new_state: toDynamic(prior), diagnostics: [fromError(e, `${prior ? 'updating' : 'creating'} ${type}`)] };
    }
  }

  async ImportResourceState(req: Msg): Promise<Msg> {
    const type = String(req.type_name);
    if (!isResourceType(type)) return { diagnostics: [unknownType(type)] };
    const id = String(req.id);
    let parsed = parseImportId(type, id);
    if (!('message' in parsed) && type === 'netns_vxlan' && typeof parsed.namespace === 'string') {
      // The id names the device; its tunnel (vni, addresses, port) is what the kernel has.
      try {
        const live = await readLive(this.engine.runner, { locations: [parsed.namespace] });
        const o = importedVxlan(parsed, live.locations.get(parsed.namespace)?.links.get(String(parsed.name)));
        parsed = 'message' in o ? { message: `cannot import ${type} "${id}": ${String(o.message)}` } : o;
      } catch (e) {
        return { imported_resources: [], diagnostics: [fromError(e, `importing ${type} "${id}"`)] };
      }
    }
    if ('message' in parsed) return { imported_resources: [], diagnostics: [diagnostic(String(parsed.message))] };
    const n = importedResource(type, parsed);
    if (!n.resource) return { imported_resources: [], diagnostics: fromProblems(n.problems) };
    try {
      const d = await planResource(this.key, n.resource, n.resource, this.engine);
      if (d.conflicts.length) return { imported_resources: [], diagnostics: [diagnostic(`cannot import ${type} "${id}"`, renderConflicts(d.conflicts))] };
      const live = await readResource(this.key, n.resource, this.engine);
      if (!live) return { imported_resources: [], diagnostics: [diagnostic(`cannot import ${type} "${id}": it does not exist`)] };
      return { imported_resources: [{ type_name: type, state: toDynamic(fromResource(type, live, parsed)) }], diagnostics: [] };
    } catch (e) {
      return { imported_resources: [], diagnostics: [fromError(e, `importing ${type} "${id}"`)] };
    }
  }

  StopProvider(): Msg {
    return { Error: '' };
  }
}
