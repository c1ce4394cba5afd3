import type { Value } from "./value";

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
 * with no host the engine is a plain autograd library.
 */
export const engine = {
  nextId: 0,
  /** Index into the source-location table of the statement running now (set by instrumented user code), or -1. */
  loc: -1,
  /** Current group id (index into groupPaths), or -1 for the top level. */
  group: -1,
  groupPaths: [] as string[],
  /** The last segment of each group path. */
  groupNames: [] as string[],
  groupChildren: [new Map<string, number>()] as Map<string, number>[],
  /** Completed backward() calls. */
  steps: 0,
  /** Nodes a step may create before it fails: protects the machine's memory. */
  maxNodesPerStep: Infinity,
  /** Called at the end of every backward(); `nodes()` lists the reachable nodes in creation order (it sorts, so call it only when needed). May block (step mode). */
  onBackward: null as ((root: Value, nodes: () => Value[], count: number) => void) | null,
  /** Optimizer updates are recorded here only while a host asks for them. */
  recordUpdates: false,
  updates: [] as UpdateRecord[],
  /** Called once with a message when grads look like they were not zeroed. */
  onWarning: null as ((message: string) => void) | null,
};

/**
 * Nodes created since the last backward(), in creation order; ids are contiguous
 * from baseId. backward() walks it instead of sorting, and then clears it so the
 * step's nodes can be garbage-collected.
 */
export const tape = { nodes: [] as Value[], baseId: 0, epoch: 0 };

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

export class GradscopeLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GradscopeLimitError";
  }
}
