import { meta } from "./meta";
import { store } from "./store";
import type { Value } from "./value";

export { GradscopeLimitError, StaleValueError } from "./errors";

/** An optimizer update as the engine records it for the visualizer. */
export interface UpdateRecord {
  param: Value;
  rule: "sgd" | "momentum" | "adam";
  before: number;
  lr: number;
  grad: number;
  after: number;
}

/**
 * The engine's process-wide state. A host (the runner's worker) installs hooks;
 * with no host the engine is a plain autograd library. A class, not an object
 * literal: V8 inlines a class's accessors, not a literal's (measured 6 vs
 * 180 ns for engine.group = g, which every module call does twice).
 */
class Engine {
  /** Index into the source-location table of the statement running now (set by instrumented user code), or -1. */
  get loc(): number { return meta.loc; }
  set loc(loc: number) { meta.setLoc(loc); }
  /** Current group id (index into groupPaths), or -1 for the top level. */
  get group(): number { return meta.group; }
  set group(group: number) { meta.setGroup(group); }
  groupPaths: string[] = [];
  /** The last segment of each group path. */
  groupNames: string[] = [];
  groupChildren: Map<string, number>[] = [new Map()];
  /** Completed backward() calls. */
  steps = 0;
  /** Nodes a step may create before it fails: protects the machine's memory. */
  get maxNodesPerStep(): number { return store.maxNodes; }
  set maxNodesPerStep(n: number) { store.setMaxNodes(n); }
  /** Nodes kept alive because a later step built on them (a Value carried across steps): a growing graph makes this grow. */
  get keptNodes(): number { return store.kept; }
  /**
   * Called at the end of every backward(), after the grads are in: the store
   * then holds this step's numbers (see runner/worker/reporter.ts). May block (step mode).
   */
  onBackward: ((root: Value) => void) | null = null;
  /** Optimizer updates are recorded here only while a host asks for them. */
  recordUpdates = false;
  updates: UpdateRecord[] = [];
  /** Called once with a message when grads look like they were not zeroed; `leaf` is the leaf that already held a grad. */
  onWarning: ((message: string, leaf?: Value) => void) | null = null;
  /**
   * Leaves that became parameters (an nn module made them, or an optimizer
   * trains them), in the order they did: a host's health checks look for the
   * ones the loss does not reach. Kept only while a host asks (trackParams),
   * so a plain library use holds no references.
   */
  params: Value[] = [];
  trackParams = false;
  /** Called by breakpoint(message) in a model; a host pauses the model there. With no host, breakpoint() does nothing. */
  onBreakpoint: ((message: string) => void) | null = null;
}

export const engine = new Engine();

/** Interns a child group of `parent` (-1 = top level) and returns its id. */
export function childGroup(parent: number, name: string): number {
  const children = engine.groupChildren[parent + 1];
  let id = children.get(name);
  if (id === undefined) {
    id = engine.groupPaths.length;
    engine.groupPaths.push(parent < 0 ? name : `${engine.groupPaths[parent]}/${name}`);
    engine.groupNames.push(name);
    engine.groupChildren.push(new Map());
    children.set(name, id);
  }
  return id;
}

/** Runs fn with its nodes grouped under `name` (nested inside the current group). */
export function scope<T>(name: string, fn: () => T): T {
  const saved = engine.group;
  engine.group = childGroup(saved, name);
  try {
    return fn();
  } finally {
    engine.group = saved;
  }
}
