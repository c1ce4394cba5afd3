import { childGroup, engine } from "./context";
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
 */
const savedGroups: number[] = [];
const savedLocs: number[] = [];

/** Past this many numbered groups in one step, further calls share one group per name (memory stays bounded). */
export const MAX_CALL_GROUPS_PER_STEP = 50_000;

/** Calls so far this step, per parent group (+1: index 0 is the top level) and function name. */
let counters = new Map<number, Map<string, number>>();
let countedStep = -1;
let numbered = 0;
/** The function or loop-variable name of each group made here (`neuron` for `mlp#1/neuron#3`). */
const baseNames: string[] = [];
/** Loops seen to span a backward(): their iterations are training steps, not groups. */
const stepLoops = new Set<number>();
const iterationStart: ({ loop: number; steps: number } | undefined)[] = [];

function numberedGroup(parent: number, name: string): number {
  if (countedStep !== engine.steps) {
    counters = new Map();
    countedStep = engine.steps;
    numbered = 0;
  }
  if (++numbered > MAX_CALL_GROUPS_PER_STEP) return childGroup(parent, name);
  let perName = counters.get(parent);
  if (!perName) counters.set(parent, (perName = new Map()));
  const k = (perName.get(name) ?? 0) + 1;
  perName.set(name, k);
  const id = childGroup(parent, `${name}#${k}`);
  baseNames[id] = name;
  return id;
}

function baseName(group: number): string | undefined {
  if (group < 0) return undefined;
  return baseNames[group] ?? engine.groupPaths[group].slice(engine.groupPaths[group].lastIndexOf("/") + 1);
}

export const instrumentation = {
  /** A statement starts: nodes created from here on were made by it. */
  at(loc: number): void {
    engine.loc = loc;
  },
  /** `const d = <expr>`: an unlabelled Value gets the variable's name and the statement's location. */
  name<T>(v: T, label: string, loc: number): T {
    if (v instanceof Value && v.label === null) {
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
    savedGroups.push(engine.group);
    savedLocs.push(engine.loc);
    const g = engine.group;
    if (name !== null && baseName(g) !== name) engine.group = numberedGroup(g, name);
    return savedGroups.length - 1;
  },
  /** An iteration of a marked loop starts: its nodes are grouped as `name#k` (k counts this parent's iterations). */
  iter(name: string, loop: number): number {
    savedGroups.push(engine.group);
    savedLocs.push(engine.loc);
    iterationStart[savedGroups.length - 1] = { loop, steps: engine.steps };
    if (!stepLoops.has(loop)) engine.group = numberedGroup(engine.group, name);
    return savedGroups.length - 1;
  },
  /** The function returned or threw, or the iteration ended: back to the caller's group and statement. */
  exit(depth: number): void {
    const it = iterationStart[depth];
    if (it) {
      // A loop whose iteration ran a backward() is a training loop: stop grouping its iterations.
      if (it.steps !== engine.steps) stepLoops.add(it.loop);
    }
    iterationStart.length = depth;
    engine.group = savedGroups[depth];
    engine.loc = savedLocs[depth];
    savedGroups.length = depth;
    savedLocs.length = depth;
  },
};

(globalThis as { __gs?: typeof instrumentation }).__gs = instrumentation;
