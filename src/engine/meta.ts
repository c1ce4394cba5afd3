import { store } from "./store";

/**
 * Where each op node came from, stored compactly (two full columns cost ~35%
 * of a step): the source location and group as runs, one row where either
 * changes (user code moves between statements and modules far less often than
 * it makes nodes), and labels and explicit locations as sparse maps. Leaves
 * keep theirs in their handle's `Own`.
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
  /** Op-node labels (with their stringHash, for the reporter's shape hash) and explicit locations (`const d = ...` names a node made elsewhere), by slot. */
  labels = new Map<number, string>();
  labelHashes = new Map<number, number>();
  locs = new Map<number, number>();
  keptLabels = new Map<number, string>();
  keptLabelHashes = new Map<number, number>();
  keptLocs = new Map<number, number>();

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
    this.labels.clear();
    this.labelHashes.clear();
    this.locs.clear();
    this.push(store.floor);
  }

  keepRegion(): void {
    this.keptRuns = this.nRuns;
    for (const [i, label] of this.labels) this.keptLabels.set(i, label);
    for (const [i, h] of this.labelHashes) this.keptLabelHashes.set(i, h);
    for (const [i, loc] of this.locs) this.keptLocs.set(i, loc);
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

  labelOf(i: number): string | null {
    return (i >= store.floor ? this.labels : this.keptLabels).get(i) ?? null;
  }

  setLabel(i: number, label: string | null): void {
    const kept = i < store.floor;
    const [labels, hashes] = kept ? [this.keptLabels, this.keptLabelHashes] : [this.labels, this.labelHashes];
    if (label === null) {
      labels.delete(i);
      hashes.delete(i);
    } else {
      labels.set(i, label);
      hashes.set(i, stringHash(label));
    }
  }

  locOf(i: number): number {
    const loc = (i >= store.floor ? this.locs : this.keptLocs).get(i);
    if (loc !== undefined) return loc;
    const r = this.runOf(i);
    return r < 0 ? -1 : this.runLoc[r];
  }

  setLocOf(i: number, loc: number): void {
    (i < store.floor ? this.keptLocs : this.locs).set(i, loc);
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
