import { lastPass, markForward } from "../../engine/backward";
import { engine, type UpdateRecord } from "../../engine/context";
import { KEEPS_CONSTANT } from "../../engine/kernel";
import { meta } from "../../engine/meta";
import { PERM, store } from "../../engine/store";
import type { Value } from "../../engine/value";
import type { GraphTopology, GraphValues, ParamUpdate, SourceLocation } from "../../protocol/graph";
import { OP } from "../../protocol/ops";
import { inNodeOrder, type NodeNumbers } from "../../analysis/health/tracker";

/** Which nodes' numbers a report carries: every node, the leaves (inputs and parameters), or none. */
export type ValueSelection = "all" | "leaves" | "none";

export interface Report {
  hash: string;
  /** Present only when the shape differs from the last report's. */
  topology?: GraphTopology;
  /** data/grad of every node ("all"), or of the nodes listed in `nodes`. */
  values: GraphValues;
  /** With "leaves" or "none": the node index of each entry of `values`, ascending. */
  nodes?: Int32Array<ArrayBuffer>;
  updates: ParamUpdate[];
}

/**
 * Turns what the last backward() reached into the wire format, reading the
 * engine's store directly: a pass over the reached slots with typed arrays,
 * no per-node objects. Nodes are numbered in slot order: creation order (the
 * root last), except that a leaf made in an earlier step sits where this step
 * first used it; a topological order either way. The topology is built only
 * when the structural hash changes. Call report() inside engine.onBackward:
 * the store then holds exactly that step's numbers.
 */
export class Reporter {
  private lastHash = "";
  /**
   * The reached nodes: node j < m is slot sel[j] (the ones below the root's
   * region, or all of them when the region was not reached whole); node j ≥ m
   * is slot lo + j − m (the region, reached whole: the common case, no list).
   */
  private sel = new Int32Array(1024);
  private m = 0;
  private lo = NONE;
  private n = 0;
  /** rank[slot] = node index, for the slots in sel. */
  private rank = new Int32Array(1024);
  private kWords = new Int32Array(0);
  /** Scratch: the reported leaves' slots (leafValues). */
  private leafSlots = new Int32Array(1024);
  private held: Held | null = null;
  /** What the last full shape hash was computed from, and its result: a step with the same signature has the same shape. */
  private signature = new Int32Array(SIGNATURE);
  private next = new Int32Array(SIGNATURE);
  private structure = [0, 0];

  constructor(private readonly locations: SourceLocation[]) {
    store.hashShapes = true;
  }

  report(which: ValueSelection = "all"): Report {
    return this.build(which, engine.updates, null);
  }

  /**
   * Where every node of the graph the last report() listed has its numbers in
   * the engine's store (health checks need them all when that report carried a
   * subset): no copy, so read them before the model runs on.
   */
  numbersInPlace(): NodeNumbers {
    const { sel, m, n, lo } = this;
    // No kept op nodes of earlier steps in the graph (keptHi < 0): every op node is of this region, whose writes the store checked.
    const opDataFinite = lastPass.keptHi < 0 && lastPass.floor === store.floor && !store.dataNotFinite;
    return { data: store.data, grad: store.grad, n, sel, m, base: lo === NONE ? 0 : lo - m, opDataFinite };
  }

  /**
   * For a step not reported now: keeps the reached leaves' numbers and the
   * updates that led to the step (O(leaves)), so reportHeld() can report the
   * step truthfully later although optimizers have changed parameters since.
   */
  hold(): void {
    const held = (this.held ??= new Held());
    held.epoch = lastPass.epoch;
    held.regions = store.regions;
    held.updates = engine.updates.slice();
    held.count = 0;
    for (const v of reachedLeaves()) held.push(v.slot, store.data[v.slot], store.grad[v.slot]);
  }

  /** The held step's report, or null when its nodes have been recycled since (the model built more) or another step ran. */
  reportHeld(which: ValueSelection = "all"): Report | null {
    const h = this.held;
    if (!h || h.epoch !== lastPass.epoch || h.regions !== store.regions) return null;
    return this.build(which, h.updates, h);
  }

  /**
   * For a model that ends without calling backward(): the forward graph built
   * since the last backward(), rooted at the last node made (grads as they are,
   * normally 0). Null when nothing was built since.
   */
  reportForward(which: ValueSelection = "all"): Report | null {
    return markForward() ? this.build(which, engine.updates, null) : null;
  }

  private build(which: ValueSelection, records: UpdateRecord[], held: Held | null): Report {
    const hash = this.collect();
    const values: GraphValues & { nodes?: Int32Array<ArrayBuffer> } = which === "all" ? this.allValues() : this.leafValues(which === "leaves");
    if (held) this.patch(values, held);
    const updates = records.map((u) => {
      const node = this.nodeOf(u.param);
      return { node, label: u.param.label ?? `#${node}`, rule: u.rule, before: u.before, lr: u.lr, grad: u.grad, after: u.after };
    });
    const out: Report = { hash, values: { data: values.data, grad: values.grad }, updates };
    if (values.nodes) out.nodes = values.nodes;
    if (hash !== this.lastHash) {
      this.lastHash = hash;
      out.topology = this.topology(hash);
    }
    return out;
  }

  /** Finds the reached nodes (see sel) and returns the structural hash of the reached graph. */
  private collect(): string {
    const s = store, p = lastPass, ep = p.epoch;
    if (this.sel.length < s.data.length) {
      this.sel = new Int32Array(s.data.length);
      this.rank = new Int32Array(s.data.length);
    }
    if (this.kWords.buffer !== s.k.buffer) this.kWords = new Int32Array(s.k.buffer);
    const sel = this.sel;
    let m = 0;
    if (p.listed && p.keptHi < 0) {
      // Below the region: what backward() listed reaching there (parameters, mostly).
      m = p.below;
      sel.set(s.below.subarray(0, m));
      sel.subarray(0, m).sort();
    } else {
      // Residents, and the kept slots backward() walked, merged in slot order.
      const res = s.residents;
      let r = 0;
      if (p.keptHi >= 0) {
        for (; r < res.length && res[r].slot < p.keptLo; r++) if (s.mark[res[r].slot] === ep) sel[m++] = res[r].slot;
        m = marked(s.mark, ep, p.keptLo, p.keptHi, sel, m);
        while (r < res.length && res[r].slot <= p.keptHi) r++;
      }
      for (; r < res.length; r++) if (s.mark[res[r].slot] === ep) sel[m++] = res[r].slot;
    }
    const size = p.root - p.floor + 1;
    if (size > 0 && p.regionReached === size) {
      this.lo = p.floor;
      this.n = m + size;
    } else {
      m = marked(s.mark, ep, p.floor, p.root, sel, m);
      this.lo = NONE;
      this.n = m;
    }
    this.m = m;
    for (let j = 0; j < m; j++) this.rank[sel[j]] = j;
    // backward() hashed the region's shape as it walked it: if that and the rest of the
    // signature are unchanged, so is the structure, and the O(nodes) pass is skipped.
    const sig = this.next;
    sig.set([
      p.hashed && this.lo !== NONE && p.keptHi < 0 ? 1 : 0, p.shape, size, m, p.floor,
      meta.nRuns - meta.keptRuns, meta.runsHash(), meta.regionNames, meta.keptNames,
    ]);
    if (sig[0] === 0 || sig.some((x, q) => x !== this.signature[q])) {
      const h = shapeHash(sel, m, this.lo, this.n, this.rank, s.op, s.in0, s.in1, s.slotGen, this.kWords);
      this.structure = [h[0], h[1]];
      [this.signature, this.next] = [sig, this.signature];
    }
    let [h1, h2] = this.structure;
    // Leaves' names and places: a sum, so the order they are listed in does not matter.
    for (const v of reachedLeaves()) {
      const o = v.own!, j = this.indexOf(v.slot);
      h1 = (h1 + Math.imul(j ^ o.labelHash, 0x01000193)) | 0;
      h2 = (h2 + Math.imul(j ^ Math.imul(o.kind | (o.loc << 2), 0x85ebca6b) ^ o.group, 0x5bd1e995)) | 0;
    }
    return `${(h1 >>> 0).toString(16)}${(h2 >>> 0).toString(16)}-${this.n}`;
  }

  /** Node index of a reached slot. */
  private indexOf(slot: number): number {
    return slot >= this.lo ? slot - this.lo + this.m : this.rank[slot];
  }

  /** Every listed node's numbers: the reached slots, then this step's own region. */
  private allValues(): GraphValues {
    return inNodeOrder(this.numbersInPlace());
  }

  /** The reached leaves' numbers (or none), with their node indices. */
  private leafValues(leaves: boolean): GraphValues & { nodes: Int32Array<ArrayBuffer> } {
    const s = store, { sel, m } = this, ep = lastPass.epoch;
    // In slot order: the listed nodes first (they are below the region when it is implied), then its proxies.
    let count = 0;
    const slots = this.leafSlots.length >= m + s.proxies.length ? this.leafSlots : (this.leafSlots = new Int32Array(2 * (m + s.proxies.length)));
    if (leaves) {
      for (let j = 0; j < m; j++) if (s.op[sel[j]] === OP.leaf) slots[count++] = sel[j];
      if (this.lo !== NONE) for (const v of s.proxies) if (s.mark[v.slot] === ep) slots[count++] = v.slot;
    }
    const nodes = new Int32Array(count), data = new Float64Array(count), grad = new Float64Array(count);
    for (let e = 0; e < count; e++) {
      const slot = slots[e];
      nodes[e] = this.indexOf(slot);
      data[e] = s.data[slot];
      grad[e] = s.grad[slot];
    }
    return { data, grad, nodes };
  }

  /** Overwrites the held leaves' numbers into values. */
  private patch(values: GraphValues & { nodes?: Int32Array<ArrayBuffer> }, held: Held): void {
    for (let h = 0; h < held.count; h++) {
      let e = this.indexOf(held.slots[h]);
      if (values.nodes) e = search(values.nodes, values.nodes.length, e);
      if (e < 0) continue;
      values.data[e] = held.data[h];
      values.grad[e] = held.grad[h];
    }
  }

  /** Node index of a parameter an update record names, or −1 if this graph does not contain it. */
  private nodeOf(param: Value): number {
    const live = param.gen === PERM || param.gen === store.allocGen;
    return live && store.mark[param.slot] === lastPass.epoch ? this.indexOf(param.slot) : -1;
  }

  /** Second pass, only for a new shape: the struct-of-arrays topology. */
  private topology(hash: string): GraphTopology {
    const s = store, { sel, m, n, lo } = this;
    const op = new Uint8Array(n), kind = new Uint8Array(n), in0 = new Int32Array(n), in1 = new Int32Array(n);
    const k = new Float64Array(n), loc = new Int32Array(n), group = new Int32Array(n);
    const label: (string | null)[] = new Array(n).fill(null);
    let r = -1;
    for (let j = 0; j < n; j++) {
      const i = j < m ? sel[j] : lo + j - m, o = s.op[i], a = s.in0[i], b = s.in1[i];
      op[j] = o;
      in0[j] = a < 0 ? -1 : this.indexOf(a);
      in1[j] = b < 0 ? -1 : this.indexOf(b);
      k[j] = b < 0 && KEEPS_CONSTANT[o] === 1 ? s.k[i] : NaN;
      while (r + 1 < meta.nRuns && meta.runStart[r + 1] <= i) r++;
      group[j] = r < 0 ? -1 : meta.runGroup[r];
      loc[j] = meta.locOf(i);
      label[j] = meta.labelOf(i);
    }
    for (const v of reachedLeaves()) {
      const j = this.indexOf(v.slot), o = v.own!;
      kind[j] = o.kind;
      label[j] = o.label;
      loc[j] = o.loc;
      group[j] = o.group;
    }
    return { hash, op, kind, in0, in1, k, label, loc, group, locations: this.locations, groups: engine.groupPaths.slice() };
  }
}

/** The leaves the last pass reached (parameters and inputs): residents under the region, and proxies in it. O(reached leaves) when backward() listed what it reached below the region, else O(residents). */
function reachedLeaves(): Value[] {
  const s = store, p = lastPass, ep = p.epoch, out: Value[] = [];
  if (p.listed && p.keptHi < 0) {
    for (let q = 0; q < p.below; q++) {
      const slot = s.below[q];
      if (s.op[slot] === OP.leaf) out.push(residentAt(slot));
    }
  } else for (const v of s.residents) if (s.mark[v.slot] === ep) out.push(v);
  for (const v of s.proxies) if (s.mark[v.slot] === ep) out.push(v);
  return out;
}

/** The resident leaf in a slot (residents are in slot order). */
function residentAt(slot: number): Value {
  const res = store.residents;
  let lo = 0, hi = res.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (res[mid].slot < slot) lo = mid + 1;
    else hi = mid;
  }
  return res[lo];
}

/** `lo` when no slot range is implied: every node is listed in sel. */
const NONE = 0x7fffffff;
const SIGNATURE = 9;

/** A step's leaf numbers kept by hold(). */
class Held {
  epoch = 0;
  regions = 0;
  updates: UpdateRecord[] = [];
  count = 0;
  slots = new Int32Array(64);
  data = new Float64Array(64);
  grad = new Float64Array(64);

  push(slot: number, data: number, grad: number): void {
    if (this.count === this.slots.length) {
      const slots = new Int32Array(this.count * 2), data = new Float64Array(this.count * 2), grad = new Float64Array(this.count * 2);
      slots.set(this.slots);
      data.set(this.data);
      grad.set(this.grad);
      Object.assign(this, { slots, data, grad });
    }
    this.slots[this.count] = slot;
    this.data[this.count] = data;
    this.grad[this.count] = grad;
    this.count++;
  }
}

// The passes over every reached node are plain functions of typed arrays: small enough for V8 to
// optimize whole (one long method that mixed them was deoptimized on each call, 10× slower).

/** Appends the slots in [lo, hi] that carry mark ep to sel from n; returns the new count. */
function marked(mark: Int32Array, ep: number, lo: number, hi: number, sel: Int32Array, n: number): number {
  for (let i = lo; i <= hi; i++) if (mark[i] === ep) sel[n++] = i;
  return n;
}

const hashOut = new Int32Array(2);

/**
 * A hash term through a mixer: a sum of products alone is linear, so two nodes' changes can cancel (2 and 3
 * swapped between two nodes' constants: the same sum). backward()'s hash mixes its terms the same way (kernel.ts).
 */
function mix(t: number): number {
  t = Math.imul(t ^ (t >>> 15), 0x2c1b3c6d);
  return t ^ (t >>> 12);
}

/**
 * Two lanes of hashing over what changes the drawing, not the numbers, and not
 * where nodes sit in the store: op, inputs as node indices, constant, and the op
 * nodes' place, group and name (leaves' are hashed from their own). Each node's
 * term is mixed and added, not chained, so consecutive nodes hash in parallel.
 * Fills rank for the nodes in sel.
 */
function shapeHash(
  sel: Int32Array, m: number, lo: number, n: number, rank: Int32Array,
  op: Uint8Array, in0: Int32Array, in1: Int32Array, slotGen: Int32Array, kw: Int32Array,
): Int32Array {
  const base = lo - m, { runStart, runLoc, runGroup, nRuns, nameGen, nameLabel, nameLoc } = meta, named = nameGen.length;
  let h1 = 0, h2 = 0;
  let run = -1, next = nRuns > 0 ? runStart[0] : NONE, loc = -1, group = -1, lastLoc = -2, lastGroup = -2;
  for (let j = 0; j < n; j++) {
    let i = base + j;
    if (j < m) rank[(i = sel[j])] = j;
    const o = op[i], a = in0[i], b = in1[i];
    const ra = a < 0 ? -1 : a >= lo ? a - base : rank[a];
    const rb = b < 0 ? -1 : b >= lo ? b - base : rank[b];
    h1 = (h1 + mix(Math.imul(j ^ Math.imul(ra, 0x9e3779b1), 0x85ebca6b) ^ o)) | 0;
    h2 = (h2 + mix(Math.imul(j ^ Math.imul(rb, 0xc2b2ae35), 0x27d4eb2f) ^ (o << 8))) | 0;
    // A new constant is a new drawing (`× 20`, not `× 10`).
    if (b < 0 && KEEPS_CONSTANT[o] === 1) {
      h1 = (h1 + mix(Math.imul(kw[2 * i] ^ j, 0x165667b1))) | 0;
      h2 = (h2 + mix(Math.imul(kw[2 * i + 1] ^ j, 0x9e3779b1))) | 0;
    }
    if (i >= next) {
      while (run + 1 < nRuns && runStart[run + 1] <= i) run++;
      next = run + 1 < nRuns ? runStart[run + 1] : NONE;
      loc = runLoc[run];
      group = runGroup[run];
    }
    // A leaf's place and name are its own, hashed by the caller.
    if (o === OP.leaf) continue;
    if (loc !== lastLoc || group !== lastGroup) {
      h1 = (h1 + Math.imul(j ^ loc, 0x85ebca6b)) | 0;
      h2 = (h2 + Math.imul(j ^ group, 0xc2b2ae35)) | 0;
      lastLoc = loc;
      lastGroup = group;
    }
    if (i < named && nameGen[i] === slotGen[i]) {
      h1 = (h1 + Math.imul(j ^ Math.imul(nameLabel[i], 0x27d4eb2f), 0x165667b1)) | 0;
      h2 = (h2 + Math.imul(j ^ Math.imul(nameLoc[i], 0x85ebca6b), 0x9e3779b1)) | 0;
    }
  }
  hashOut[0] = h1;
  hashOut[1] = h2;
  return hashOut;
}

/** Index of x in the ascending a[0..n), or −1. */
function search(a: Int32Array, n: number, x: number): number {
  let lo = 0, hi = n - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] === x) return mid;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
