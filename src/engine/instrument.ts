import { childGroup, engine } from "./context";
import { meta } from "./meta";
import { store } from "./store";
import { Value } from "./value";

/**
 * Calls that the runner's compiler inserts into the user's code (see
 * runner/compile/instrument.ts). Global, because the user's helper files may not
 * import "gradscope" themselves.
 *
 * Groups: each call of a user function is its own group, `name#k` (k counts the
 * calls of `name` within the parent group, from 1), and so is each iteration of
 * a loop that the compiler marked (`layer#2`). Counters restart at every
 * backward(), so the same call has the same path in every step and the graph's
 * shape (its topology hash) stays put: `mlp#1/layer#2/neuron#3`.
 *
 * Speed: these run once per statement, assignment and call of the user's code
 * (a bare-Value moons step makes ~33k of each), so they allocate nothing on
 * their common paths: the enter/exit stack is a pair of typed arrays with a
 * top index (shrinking a JS array by `length =` cost ~6% of a step), numbered
 * groups are looked up by counter instead of interning a `name#k` string per
 * call, and a statement that runs again at the same location only compares.
 */

/** Past this many numbered groups in one step, further calls share one group per name (memory stays bounded). */
export const MAX_CALL_GROUPS_PER_STEP = 50_000;

/** The enter/exit stack: the caller's group and statement, and for a marked loop's iteration its loop id (−1 otherwise). */
let stackGroup = new Int32Array(256);
let stackLoc = new Int32Array(256);
let stackLoop = new Int32Array(256);
/** For an iteration: the step count when it began (a backward() inside makes the loop a training loop). */
let stackSteps = new Int32Array(256);
let top = 0;

/** Per parent group (+1: index 0 is the top level) and function name: calls so far this step, and the group of each call. */
interface Calls { step: number; count: number; ids: number[] }
const calls: Map<string, Calls>[] = [];
let countedStep = -1;
let numbered = 0;
/** The function or loop-variable name of each group made here (`neuron` for `mlp#1/neuron#3`). */
const baseNames: string[] = [];
/** Loops seen to span a backward(): their iterations are training steps, not groups. */
const stepLoops = new Set<number>();

/** Where the running statement is also written for another thread to read (the runner's limits), if anywhere. */
let locSink: Int32Array | null = null;
let locSinkIndex = 0;

function numberedGroup(parent: number, name: string): number {
  if (countedStep !== engine.steps) {
    countedStep = engine.steps;
    numbered = 0;
  }
  if (++numbered > MAX_CALL_GROUPS_PER_STEP) return childGroup(parent, name);
  const perParent = (calls[parent + 1] ??= new Map());
  let c = perParent.get(name);
  if (c === undefined) perParent.set(name, (c = { step: countedStep, count: 0, ids: [] }));
  else if (c.step !== countedStep) {
    c.step = countedStep;
    c.count = 0;
  }
  const k = c.count++;
  // The same call of the same parent is the same group in every step: intern `name#k` once.
  let id = c.ids[k];
  if (id === undefined) {
    id = c.ids[k] = childGroup(parent, `${name}#${k + 1}`);
    baseNames[id] = name;
  }
  return id;
}

function baseName(group: number): string | undefined {
  if (group < 0) return undefined;
  return baseNames[group] ?? engine.groupNames[group];
}

function push(loop: number): number {
  if (top === stackGroup.length) {
    const grow = (a: Int32Array) => { const b = new Int32Array(a.length * 2); b.set(a); return b; };
    stackGroup = grow(stackGroup);
    stackLoc = grow(stackLoc);
    stackLoop = grow(stackLoop);
    stackSteps = grow(stackSteps);
  }
  stackGroup[top] = meta.group;
  stackLoc[top] = meta.loc;
  stackLoop[top] = loop;
  stackSteps[top] = engine.steps;
  return top++;
}

function setLoc(loc: number): void {
  engine.loc = loc;
  if (locSink !== null) locSink[locSinkIndex] = loc;
}

export const instrumentation = {
  /** A statement starts: nodes created from here on were made by it. */
  at(loc: number): void {
    if (loc !== meta.loc) setLoc(loc);
  },
  /**
   * `const d = <expr>`: an unlabelled Value gets the variable's name and the
   * statement's location. An op node of this step (the common case) is named
   * in the engine's columns directly.
   */
  name<T>(v: T, label: string, loc: number): T {
    if (!(v instanceof Value)) return v;
    if (v.own === null && v.gen >= store.gen) meta.nameNew(v.slot, label, loc);
    else if (v.label === null) {
      v.label = label;
      v.loc = loc;
    }
    return v;
  },
  /**
   * A user function starts: this call's nodes are grouped as `name#k` under the
   * caller's group (null: an anonymous callback, which keeps its caller's
   * group). A recursive call stays in the group it is already in. Returns the
   * depth to restore.
   */
  enter(name: string | null): number {
    const depth = push(-1);
    const g = meta.group;
    if (name !== null && baseName(g) !== name) engine.group = numberedGroup(g, name);
    return depth;
  },
  /** An iteration of a marked loop starts: its nodes are grouped as `name#k` (k counts this parent's iterations). */
  iter(name: string, loop: number): number {
    const depth = push(loop);
    if (!stepLoops.has(loop)) engine.group = numberedGroup(meta.group, name);
    return depth;
  },
  /** The function returned or threw, or the iteration ended: back to the caller's group and statement. */
  exit(depth: number): void {
    // A loop whose iteration ran a backward() is a training loop: stop grouping its iterations.
    if (stackLoop[depth] >= 0 && stackSteps[depth] !== engine.steps) stepLoops.add(stackLoop[depth]);
    if (stackGroup[depth] !== meta.group) engine.group = stackGroup[depth];
    if (stackLoc[depth] !== meta.loc) setLoc(stackLoc[depth]);
    top = depth;
  },
};

/**
 * Also write the running statement into `sink[index]` (the worker's shared
 * control words: the runner process reads it when a limit stops the model),
 * on every change of statement.
 */
export function setLocSink(sink: Int32Array | null, index = 0): void {
  locSink = sink;
  locSinkIndex = index;
  if (sink) sink[index] = meta.loc;
}

(globalThis as { __gs?: typeof instrumentation }).__gs = instrumentation;
