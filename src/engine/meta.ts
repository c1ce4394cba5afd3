import { store } from "./store";

/**
 * Where each op node came from, stored compactly (two full columns cost ~35%
 * of a step): the source location and group as runs, one row where either
 * changes (user code moves between statements and modules far less often than
 * it makes nodes). Names given after a node is made (`const d = ...` labels it,
 * and gives it the statement's location if it was made elsewhere) go in
 * columns written only then, stamped with the slot's generation so a recycled
 * slot's old name is never read. Leaves keep theirs in their handle's `Own`.
 */
class Meta {
  /** Location index and group of the code running now (engine.loc / engine.group). */
  loc = -1;
  group = -1;
  /** Runs: from slot runStart[r] on, nodes were made at runLoc[r] in runGroup[r]. In slot order. */
  runStart = new Int32Array(1024);
  runLoc = new Int32Array(1024);
  runGroup = new Int32Array(1024);
  nRuns = 0;
  /** Runs below this index belong to kept regions. */
  keptRuns = 0;
  /** runTerm() of the region's runs but its last (which cut() may still rewrite), summed as they are pushed: see runsHash(). */
  private closedRuns = 0;
  /** Per slot: the generation the name belongs to (valid while it equals the slot's), its label id (into `labels`) and location, or −1. */
  nameGen = new Int32Array(0);
  nameLabel = new Int32Array(0);
  nameLoc = new Int32Array(0);
  /** Label strings, interned. */
  labels: string[] = [];
  private labelIds = new Map<string, number>();
  private lastLabel = "";
  private lastId = -1;
  /** What naming did to this region, summed, and how often kept nodes were named: with them the reporter knows names are unchanged. */
  regionNames = 0;
  keptNames = 0;

  setLoc(loc: number): void {
    if (loc === this.loc) return;
    this.loc = loc;
    this.cut();
  }

  setGroup(group: number): void {
    if (group === this.group) return;
    this.group = group;
    this.cut();
  }

  /** The current location and group apply from the next slot on. */
  private cut(): void {
    // Between backward() and the next node the region is not begun yet: beginRegion() opens its first run.
    if (store.allocGen !== store.gen) return;
    const n = this.nRuns;
    if (n > this.keptRuns && this.runStart[n - 1] === store.top) {
      this.runLoc[n - 1] = this.loc;
      this.runGroup[n - 1] = this.group;
    } else this.push(store.top);
  }

  private push(start: number): void {
    if (this.nRuns > this.keptRuns) this.closedRuns = (this.closedRuns + this.runTerm(this.nRuns - 1)) | 0;
    if (this.nRuns === this.runStart.length) {
      const grow = (a: Int32Array) => { const b = new Int32Array(a.length * 2); b.set(a); return b; };
      this.runStart = grow(this.runStart);
      this.runLoc = grow(this.runLoc);
      this.runGroup = grow(this.runGroup);
    }
    this.runStart[this.nRuns] = start;
    this.runLoc[this.nRuns] = this.loc;
    this.runGroup[this.nRuns] = this.group;
    this.nRuns++;
  }

  beginRegion(): void {
    this.nRuns = this.keptRuns;
    this.closedRuns = 0;
    this.regionNames = 0;
    this.push(store.floor);
  }

  /**
   * A hash of the current region's runs (where location or group changes, by offset from its floor): what
   * the reporter checks, with backward()'s shape hash, to tell an unchanged graph. O(1): kept as runs are made.
   */
  runsHash(): number {
    return this.nRuns > this.keptRuns ? (this.closedRuns + this.runTerm(this.nRuns - 1)) | 0 : 0;
  }

  private runTerm(q: number): number {
    return Math.imul((this.runStart[q] - store.floor) ^ Math.imul(this.runLoc[q], 0x9e3779b1) ^ Math.imul(this.runGroup[q], 0x85ebca6b), q - this.keptRuns + 1);
  }

  keepRegion(): void {
    this.keptRuns = this.nRuns;
  }

  /** Index of the run slot i falls in, or −1. */
  runOf(i: number): number {
    let lo = 0, hi = this.nRuns - 1, r = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.runStart[mid] <= i) { r = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return r;
  }

  /** Whether op node i was named (see the class comment). */
  private named(i: number): boolean {
    return i < this.nameGen.length && this.nameGen[i] === store.slotGen[i];
  }

  labelOf(i: number): string | null {
    return this.named(i) && this.nameLabel[i] >= 0 ? this.labels[this.nameLabel[i]] : null;
  }

  setLabel(i: number, label: string | null): void {
    this.name(i);
    this.nameLabel[i] = label === null ? -1 : this.intern(label);
    this.noteNaming(i);
  }

  locOf(i: number): number {
    if (this.named(i) && this.nameLoc[i] >= 0) return this.nameLoc[i];
    const r = this.runOf(i);
    return r < 0 ? -1 : this.runLoc[r];
  }

  setLocOf(i: number, loc: number): void {
    this.name(i);
    this.nameLoc[i] = loc;
    this.noteNaming(i);
  }

  /**
   * `const d = <expr>` in instrumented code, for op node i of the current
   * region: labels and places it unless it has a label already. What
   * setLabel + setLocOf do, in one pass (it runs for most nodes a step makes).
   */
  nameNew(i: number, label: string, loc: number): void {
    if (i >= this.nameGen.length) this.growNames();
    const gen = store.slotGen[i];
    if (this.nameGen[i] !== gen) {
      this.nameGen[i] = gen;
      this.nameLoc[i] = -1;
    } else if (this.nameLabel[i] >= 0) return;
    this.nameLabel[i] = this.intern(label);
    this.noteNaming(i);
    this.nameLoc[i] = loc;
    this.noteNaming(i);
  }

  private growNames(): void {
    const grow = (a: Int32Array) => { const b = new Int32Array(store.data.length).fill(-1); b.set(a); return b; };
    this.nameGen = grow(this.nameGen);
    this.nameLabel = grow(this.nameLabel);
    this.nameLoc = grow(this.nameLoc);
  }

  /** Makes slot i's name columns this node's (growing them with the store). */
  private name(i: number): void {
    if (this.nameGen.length < store.data.length) this.growNames();
    if (this.nameGen[i] === store.slotGen[i]) return;
    this.nameGen[i] = store.slotGen[i];
    this.nameLabel[i] = -1;
    this.nameLoc[i] = -1;
  }

  private intern(label: string): number {
    if (label === this.lastLabel) return this.lastId;
    let id = this.labelIds.get(label);
    if (id === undefined) {
      id = this.labels.length;
      this.labels.push(label);
      this.labelIds.set(label, id);
    }
    this.lastLabel = label;
    return (this.lastId = id);
  }

  private noteNaming(i: number): void {
    if (i < store.floor) this.keptNames++;
    else {
      const term = Math.imul((i - store.floor) ^ Math.imul(this.nameLabel[i], 0x9e3779b1) ^ Math.imul(this.nameLoc[i], 0x85ebca6b), 0x27d4eb2f);
      this.regionNames = (this.regionNames + term) | 0;
    }
  }

  groupOf(i: number): number {
    const r = this.runOf(i);
    return r < 0 ? -1 : this.runGroup[r];
  }
}

/** FNV-1a over UTF-16 code units. */
export function stringHash(s: string): number {
  let h = 0x811c9dc5;
  for (let c = 0; c < s.length; c++) h = Math.imul(h ^ s.charCodeAt(c), 0x01000193);
  return h;
}

export const meta = new Meta();
