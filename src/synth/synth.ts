/**
 * Construct tree -> plan documents. Two layers of validation, reported together:
 *  1. construct-level checks the plan cannot express (`node.addValidation` on each construct:
 *     references across labs, malformed veth ends, prop types), and
 *  2. the plan-level checks of `loadPlan()` (names, duplicates, CIDRs, references, MTUs, gateways).
 * Every problem reads `[construct path] message`; if there is any, one PlanError lists them all.
 * A construct that fails layer 1 gets only its layer-1 messages (layer-2 ones would mostly repeat
 * them in other words); every other construct gets both layers in the same run.
 */
import type { IConstruct } from 'constructs';
import { PLAN_VERSION, labKey, stableStringify, type HostSpec, type PlanDocument, type Resource } from '../plan/types.js';
import { placeResources } from '../plan/hosts.js';
import { PlanError, loadPlan, markChecked } from '../plan/validate.js';
import {
  displayPath, hasResources, isHostSource, isLabSource, isResourceSource, nearestLab,
  type ILabSource, type IResourceSource,
} from './contract.js';

/**
 * Synthesizes one canonical PlanDocument per lab under `root`, sorted by lab name (then prefix).
 * Pure: writes nothing. Throws PlanError listing every problem found.
 */
export function synthesize(root: IConstruct): PlanDocument[] {
  const problems: string[] = [];
  const all = root.node.findAll();

  // Layer 1: construct validations, in tree order.
  const invalid = new Set<IConstruct>();
  for (const c of all) {
    const messages = c.node.validate();
    if (messages.length) invalid.add(c);
    problems.push(...messages.map((m) => `[${displayPath(c)}] ${m}`));
  }

  const labs = all.filter(isLabSource);
  const byLab = new Map<ILabSource, IResourceSource[]>(labs.map((l) => [l, []]));
  for (const c of all) {
    if (!isResourceSource(c)) continue;
    const lab = nearestLab(c);
    if (lab) byLab.get(lab)!.push(c);
    else problems.push(`[${displayPath(c)}] ${c.constructor.name} must be declared inside a Lab (new Lab(app, 'name'))`);
  }

  // Layer 2: build each lab's plan and pass it through loadPlan.
  const plans: PlanDocument[] = [];
  for (const [lab, sources] of byLab) {
    const doc = buildDocument(lab, sources, invalid, problems);
    try {
      plans.push(markChecked(compact(loadPlan(doc))));
    } catch (e) {
      if (!(e instanceof PlanError)) throw e;
      const own = e.problems.map((p) => p.replace(/^plan: /u, `[${displayPath(lab)}] `));
      // A host that failed its own checks is reported once, by its construct.
      const badHosts = [...invalid].filter(isHostSource).map((h) => `[host ${h.node.id}] `);
      problems.push(...own.filter((p) => !aboutInvalid(p, invalid) && !badHosts.some((h) => p.startsWith(h))));
    }
  }
  problems.push(...duplicateLabs(labs));

  if (problems.length) throw new PlanError([...new Set(problems)]);
  return plans.sort((x, y) => compare(x.lab, y.lab) || compare(x.prefix, y.prefix));
}

/** The raw plan document of one lab: resources keyed by their path below the lab. */
function buildDocument(lab: ILabSource, sources: IResourceSource[], invalid: Set<IConstruct>, problems: string[]) {
  const resources: Record<string, unknown> = {};
  const base = lab.node.path ? `${lab.node.path}/` : '';
  for (const c of sources) {
    try {
      const id = c.node.path.slice(base.length);
      const several = hasResources(c) ? c.toResources() : undefined;
      if (several) for (const [suffix, r] of Object.entries(several)) resources[`${id}/${suffix}`] = { ...r, path: `${c.node.path}/${suffix}` };
      else resources[id] = { ...c.toResource(), path: c.node.path };
    } catch (e) {
      // A construct that already failed its own checks may fail here as a consequence: say it once.
      if (!invalid.has(c)) problems.push(`[${displayPath(c)}] ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  // The machines of a lab that spans several (see plan/hosts.ts); their ids are construct ids.
  const hostSources = lab.node.findAll().filter(isHostSource);
  if (!hostSources.length) return { version: PLAN_VERSION, lab: lab.name, prefix: lab.prefix, resources };
  const hosts: Record<string, HostSpec> = {};
  for (const h of hostSources) {
    if (hosts[h.node.id]) problems.push(`[${displayPath(h)}] host id "${h.node.id}" is also declared at ${hostSources.find((x) => x.node.id === h.node.id)!.node.path}`);
    else hosts[h.node.id] = h.toHostSpec();
  }
  return { version: PLAN_VERSION, lab: lab.name, prefix: lab.prefix, resources: placeResources(resources as Record<string, Resource>), hosts };
}

/**
 * True when plan-level problem `p` is about a construct that already failed its own checks. Those
 * plan-level messages are mostly consequences (a foreign namespace "not declared in this lab", a
 * missing device name), so each broken construct shows only its own messages until they are fixed.
 */
function aboutInvalid(p: string, invalid: Set<IConstruct>): boolean {
  for (const c of invalid) if (p.startsWith(`[${displayPath(c)}] `)) return true;
  return false;
}

/** Two labs with the same name and prefix would share a state file and kernel markers. */
function duplicateLabs(labs: ILabSource[]): string[] {
  const seen = new Map<string, string>();
  const problems: string[] = [];
  for (const lab of labs) {
    const key = labKey({ lab: lab.name, prefix: lab.prefix });
    const prior = seen.get(key);
    if (prior) problems.push(`[${displayPath(lab)}] lab "${lab.name}" with prefix "${lab.prefix}" is also declared at ${prior}`);
    else seen.set(key, displayPath(lab));
  }
  return problems;
}

/** The plan exactly as it is written: sorted keys, no undefined fields. */
const compact = (plan: PlanDocument): PlanDocument => JSON.parse(stableStringify(plan)) as PlanDocument;

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
