import { lastPass, markForward } from "../../engine/backward";
import { engine, type UpdateRecord } from "../../engine/context";
import { KEEPS_CONSTANT } from "../../engine/kernel";
import { meta } from "../../engine/meta";
import { PERM, store } from "../../engine/store";
import type { Value } from "../../engine/value";
import type { GraphTopology, GraphValues, ParamUpdate, SourceLocation } from "../../protocol/graph";
import { OP } from "../../protocol/ops";

/** Which nodes' numbers a report carries: every node, the leaves (inputs and parameters), or none. */
export type ValueSelection = "all" | "leaves" | "none";

export interface Report {
  hash: string;
  /** Present only when the shape differs from the last report's. */
  topology?: GraphTopology;
  /** data/grad of every node ("all"), or of the nodes listed in `nodes`. */
  values: GraphValues;
  /** With "leaves" or "none": the node index of each entry of `values`, ascending. */
  nodes?: Int32Array;
  updates: ParamUpdate[];
}

/**
 * Turns what the last backward() reached into the wire format, reading the
 * engine's store directly: one pass over the reached slots with typed arrays,
 * no per-node objects. Nodes are numbered in slot order, which is creation
 * order (the root last). The topology is built only when the structural hash
 * changes. Call report() inside engine.onBackward: the store then holds
 * exactly that step's numbers.
 */
export class Reporter {
  private lastHash = "";
  /** Reached slots of the current report, ascending. */
  private sel = new Int32Array(1024);
  private n = 0;
  /** rank[slot] = node index, for the slots in sel. */
  private rank = new Int32Array(0);
  private kWords = new Int32Array(0);
  private held: Held | null = null;

  constructor(private readonly locations: SourceLocation[]) {}

  report(which: ValueSelection = "all"): Report {
    return this.build(which, engine.updates, null);
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
    const ep = lastPass.epoch;
    for (const list of [store.residents, store.proxies]) {
      for (const v of list) if (store.mark[v.slot] === ep) held.push(v.slot, store.data[v.slot], store.grad[v.slot]);
    }
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
    const values = which === "all" ? this.allValues() : this.leafValues(which === "leaves");
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

  /** Lists the reached slots in order into sel (and their node indices into rank); returns the structural hash of the reached graph. */
  private collect(): string {
    const s = store, p = lastPass, ep = p.epoch, mark = s.mark;
    if (this.sel.length < s.data.length) {
      this.sel = new Int32Array(s.data.length);
      this.rank = new Int32Array(s.data.length);
    }
    if (this.kWords.buffer !== s.k.buffer) this.kWords = new Int32Array(s.k.buffer);
    const sel = this.sel, rank = this.rank;
    let n = 0;
    // Below the region: residents, and the kept slots backward() walked, merged in slot order.
    const res = s.residents;
    let r = 0;
    if (p.keptHi >= 0) {
      for (; r < res.length && res[r].slot < p.keptLo; r++) if (mark[res[r].slot] === ep) sel[n++] = res[r].slot;
      for (let i = p.keptLo; i <= p.keptHi; i++) if (mark[i] === ep) sel[n++] = i;
      while (r < res.length && res[r].slot <= p.keptHi) r++;
    }
    for (; r < res.length; r++) if (mark[res[r].slot] === ep) sel[n++] = res[r].slot;
    const below = n;
    for (let i = p.floor; i <= p.root; i++) if (mark[i] === ep) sel[n++] = i;
    this.n = n;
    // Two lanes of multiplicative hashing over what changes the drawing, not the numbers, and
    // not where nodes sit in the store: op, inputs as node indices, constant, place and group.
    const { op, in0, in1 } = s, kw = this.kWords, { runStart, runLoc, runGroup, nRuns } = meta;
    let h1 = 0x811c9dc5, h2 = 0x01000193;
    let run = -1, lastLoc = -2, lastGroup = -2;
    for (let j = 0; j < n; j++) {
      const i = sel[j], o = op[i], a = in0[i], b = in1[i];
      rank[i] = j;
      h1 = Math.imul(h1 ^ (a < 0 ? -1 : rank[a]), 0x01000193) ^ o;
      h2 = Math.imul(h2 ^ (b < 0 ? -1 : rank[b]), 0x5bd1e995) + (h2 >>> 15);
      // A new constant is a new drawing (`× 20`, not `× 10`).
      if (b < 0 && KEEPS_CONSTANT[o] === 1) {
        h1 ^= kw[2 * i];
        h2 ^= kw[2 * i + 1];
      }
      if (o === OP.leaf) continue; // a leaf's place is its own, hashed below
      while (run + 1 < nRuns && runStart[run + 1] <= i) run++;
      const loc = run < 0 ? -1 : runLoc[run], group = run < 0 ? -1 : runGroup[run];
      if (loc !== lastLoc || group !== lastGroup) {
        h1 = Math.imul(h1 ^ j, 0x01000193) ^ loc;
        h2 = Math.imul(h2 ^ group, 0x5bd1e995);
        lastLoc = loc;
        lastGroup = group;
      }
    }
    for (const list of [res, s.proxies]) {
      for (const v of list) {
        if (mark[v.slot] !== ep) continue;
        const o = v.own!;
        h1 = Math.imul(h1 ^ rank[v.slot], 0x01000193) ^ o.labelHash;
        h2 = Math.imul(h2 ^ (o.kind | (o.loc << 2)), 0x5bd1e995) ^ o.group;
      }
    }
    const reached = (i: number) => i < s.data.length && mark[i] === ep;
    for (const map of [meta.keptLabelHashes, meta.labelHashes]) {
      for (const [i, h] of map) if (reached(i)) h1 = Math.imul(h1 ^ rank[i], 0x01000193) ^ h;
    }
    for (const map of [meta.keptLocs, meta.locs]) {
      for (const [i, loc] of map) if (reached(i)) h2 = Math.imul(h2 ^ rank[i], 0x5bd1e995) ^ loc;
    }
    return `${(h1 >>> 0).toString(16)}${(h2 >>> 0).toString(16)}-${n}`;
  }

  private allValues(): GraphValues & { nodes?: Int32Array } {
    const s = store, sel = this.sel, n = this.n;
    const data = new Float64Array(n), grad = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      const i = sel[j];
      data[j] = s.data[i];
      grad[j] = s.grad[i];
    }
    return { data, grad };
  }

  /** The reached leaves' numbers (or none), with their node indices. */
  private leafValues(leaves: boolean): GraphValues & { nodes: Int32Array } {
    const s = store, ep = lastPass.epoch;
    const slots: number[] = [];
    if (leaves) for (const list of [s.residents, s.proxies]) for (const v of list) if (s.mark[v.slot] === ep) slots.push(v.slot);
    const nodes = new Int32Array(slots.length), data = new Float64Array(slots.length), grad = new Float64Array(slots.length);
    slots.forEach((slot, e) => {
      nodes[e] = this.indexOf(slot);
      data[e] = s.data[slot];
      grad[e] = s.grad[slot];
    });
    return { data, grad, nodes };
  }

  /** Overwrites the held leaves' numbers into values. */
  private patch(values: GraphValues & { nodes?: Int32Array }, held: Held): void {
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

  private indexOf(slot: number): number {
    return search(this.sel, this.n, slot);
  }

  /** Second pass, only for a new shape: the struct-of-arrays topology. */
  private topology(hash: string): GraphTopology {
    const s = store, sel = this.sel, n = this.n, ep = lastPass.epoch, rank = this.rank;
    const op = new Uint8Array(n), kind = new Uint8Array(n), in0 = new Int32Array(n), in1 = new Int32Array(n);
    const k = new Float64Array(n), loc = new Int32Array(n), group = new Int32Array(n);
    const label: (string | null)[] = new Array(n).fill(null);
    let r = -1;
    for (let j = 0; j < n; j++) {
      const i = sel[j], o = s.op[i], a = s.in0[i], b = s.in1[i];
      op[j] = o;
      in0[j] = a < 0 ? -1 : rank[a];
      in1[j] = b < 0 ? -1 : rank[b];
      k[j] = b < 0 && KEEPS_CONSTANT[o] === 1 ? s.k[i] : NaN;
      while (r + 1 < meta.nRuns && meta.runStart[r + 1] <= i) r++;
      loc[j] = r < 0 ? -1 : meta.runLoc[r];
      group[j] = r < 0 ? -1 : meta.runGroup[r];
    }
    const reached = (i: number) => i < s.data.length && s.mark[i] === ep && s.op[i] !== OP.leaf;
    for (const map of [meta.keptLocs, meta.locs]) for (const [i, v] of map) if (reached(i)) loc[rank[i]] = v;
    for (const map of [meta.keptLabels, meta.labels]) for (const [i, v] of map) if (reached(i)) label[rank[i]] = v;
    for (const list of [s.residents, s.proxies]) {
      for (const v of list) {
        if (s.mark[v.slot] !== ep) continue;
        const j = rank[v.slot], o = v.own!;
        kind[j] = o.kind;
        label[j] = o.label;
        loc[j] = o.loc;
        group[j] = o.group;
      }
    }
    return { hash, op, kind, in0, in1, k, label, loc, group, locations: this.locations, groups: engine.groupPaths.slice() };
  }
}

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
