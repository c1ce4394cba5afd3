import { childGroup, engine } from "./context";
import { Value } from "./value";

/**
 * Calls that the runner's compiler inserts into the user's code (see
 * runner/compile/instrument.ts). Global, because the user's helper files may not
 * import "gradscope" themselves.
 */
const savedGroups: number[] = [];
const savedLocs: number[] = [];

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
   * A user function starts: its nodes are grouped under its name (null: an
   * anonymous callback, which keeps its caller's group). A recursive call stays
   * in the group it is already in. Returns the depth to restore.
   */
  enter(name: string | null): number {
    savedGroups.push(engine.group);
    savedLocs.push(engine.loc);
    const g = engine.group;
    if (name !== null && !(g >= 0 && engine.groupNames[g] === name)) engine.group = childGroup(g, name);
    return savedGroups.length - 1;
  },
  /** The function returned or threw: back to the caller's group and statement. */
  exit(depth: number): void {
    engine.group = savedGroups[depth];
    engine.loc = savedLocs[depth];
    savedGroups.length = depth;
    savedLocs.length = depth;
  },
};

(globalThis as { __gs?: typeof instrumentation }).__gs = instrumentation;
