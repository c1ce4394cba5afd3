import { OP } from "../protocol/ops";
import { GradscopeLimitError } from "./errors";
import { meta } from "./meta";
import type { Own, Value } from "./value";

/** A handle's generation when its leaf lives in a kept slot for good (see beginRegion). */
export const PERM = 0x3fffffff;
/** A leaf's generation while it has no slot: its numbers are in its own `Own`. */
export const DETACHED = -1;

const INITIAL_SLOTS = 1 << 14;

/**
 * Every node as a row of typed-array columns, so a step allocates no objects
 * the GC must trace or copy: the `Value`s user code holds are thin handles
 * (slot i, generation g) into these columns.
 *
 * Generations: `gen` counts backward() calls; the nodes built between two of
 * them are one region, [floor, top). After backward(), the next allocation
 * begins a new region at floor again, recycling the old one's slots. Until
 * then the old region stays intact, so numbers read right after backward()
 * are right. A slot remembers the generation that wrote it (slotGen), so a
 * handle knows whether its slot still holds its node.
 *
 * What survives a step: the first region (everything built before the first
 * backward(): parameters, inputs, graphs built once to be reused) is kept for
 * good, and so is any region a later step builds on (a Value carried into the
 * next step and used before anything else is built). Leaves made later get a
 * slot (a proxy) in each region that uses them and keep their numbers in their
 * handle in between.
 *
 * A leaf takes its first slot where it is made, in every step as in the
 * first: in the region being built, or, when made between backward() and the
 * next step's first node, at the start of that step's region (`pending`: the
 * region cannot begin before that node decides whether the old one is kept).
 * So a step that makes `let loss = new Value(0)` has its nodes in the same
 * order at step 1 (whose region holds the leaf where it was made) as later,
 * and the reporter's shape hash stays put. Only a leaf of an earlier step
 * whose region was recycled gets its proxy where a step first uses it: such
 * leaves (parameters made after an earlier backward(), outside the first
 * region) sit where they were made in the step that made them and where they
 * are first used from then on.
 */
class Store {
  data = new Float64Array(INITIAL_SLOTS);
  grad = new Float64Array(INITIAL_SLOTS);
  /** The constant operand of `c + 1`, `x ^ 2` (see kernel.KEEPS_CONSTANT); unset for other nodes. */
  k = new Float64Array(INITIAL_SLOTS);
  /** k's bits, for hashing constants. */
  kWords = new Int32Array(this.k.buffer);
  /** Input slots, or −1 (none, or a constant). */
  in0 = new Int32Array(INITIAL_SLOTS);
  in1 = new Int32Array(INITIAL_SLOTS);
  op = new Uint8Array(INITIAL_SLOTS);
  /** Generation that wrote each slot. */
  slotGen = new Int32Array(INITIAL_SLOTS);
  /** backward()'s reach mark: the epoch of the last call that reached the slot. */
  mark = new Int32Array(INITIAL_SLOTS);
  /** Slots under the region the last hashing backward() reached (see kernel.ts). */
  below = new Int32Array(INITIAL_SLOTS);

  gen = 0;
  /** Generation of the region in [floor, top). Behind gen after a backward(), until the next allocation. */
  allocGen = 0;
  floor = 0;
  top = 0;
  /** alloc() takes its fast path while top < fastEnd; 0 sends it to allocSlow() (a region to begin, the limit, growth). */
  fastEnd = INITIAL_SLOTS;
  maxNodes = Infinity;
  /** Leaves with a proxy slot in the current region, in slot order. */
  proxies: Value[] = [];
  /** Leaves made since backward() while no region of the current generation was begun: they take its first slots (beginRegion). */
  pending: Value[] = [];
  /** Leaves living in kept slots for good, in slot order. */
  residents: Value[] = [];
  /** Range of kept op nodes the current region uses as inputs (−1: none): backward() walks down from there. */
  oldOpMin = -1;
  oldOpMax = -1;
  epoch = 0;
  /** Set by a host that reports steps: backward() then also hashes the shape it walks (see kernel.ts). */
  hashShapes = false;
  /**
   * Some number written to data since this region began was not finite. Every write of data goes through
   * node(), writeTerm(), attach() or a setter, and each checks the number it writes, so while this is false
   * the region's op nodes hold finite data: the health check then reads the data of the leaves only.
   */
  dataNotFinite = false;
  /** Regions begun so far: a report held for later is still readable while this is unchanged. */
  regions = 0;
  /** Nodes kept because a later step built on them, past the first region: a growing graph shows here. */
  kept = 0;

  alloc(): number {
    return this.top < this.fastEnd ? this.top++ : this.allocSlow();
  }

  private allocSlow(): number {
    if (this.allocGen !== this.gen) this.beginNext(false);
    if (this.top - this.floor >= this.maxNodes) this.abortRegion();
    if (this.top >= this.data.length) this.grow();
    this.fastEnd = Math.min(this.data.length, this.floor + this.maxNodes);
    return this.top++;
  }

  /** backward() ran: the next allocation begins a new region; the current one stays readable until then. */
  endGeneration(): void {
    this.gen++;
    this.fastEnd = 0;
  }

  /** Begins the current generation's region, keeping the old one if it is the first or `carried` (a node of it is being used now). */
  beginNext(carried: boolean): void {
    this.beginRegion(carried || this.allocGen === 0);
  }

  /** Starts the region of the current generation. The old one is recycled, or with `keep` stays for good (its leaves become residents). */
  private beginRegion(keep: boolean): void {
    const proxies = this.proxies;
    if (keep) {
      if (this.allocGen !== 0) this.kept += this.top - this.floor;
      this.floor = this.top;
      for (const p of proxies) {
        p.gen = PERM;
        this.residents.push(p);
      }
      meta.keepRegion();
    } else {
      for (const p of proxies) {
        const own = p.own!;
        own.d = this.data[p.slot];
        own.gr = this.grad[p.slot];
        p.gen = DETACHED;
      }
    }
    proxies.length = 0;
    this.dataNotFinite = false;
    this.regions++;
    this.allocGen = this.gen;
    this.top = this.floor;
    this.oldOpMin = this.oldOpMax = -1;
    this.fastEnd = Math.min(this.data.length, this.floor + this.maxNodes);
    meta.beginRegion();
    if (this.pending.length > 0) this.attachPending();
  }

  /** The leaves made before this region began take its first slots, in the order they were made (as many as its node limit leaves room for; the rest get proxies where they are used). */
  private attachPending(): void {
    const pending = this.pending;
    this.pending = [];
    for (const p of pending) {
      if (this.top - this.floor >= this.maxNodes) break;
      if (p.gen === DETACHED) this.attach(p, p.own!);
    }
  }

  /** Gives a leaf a slot (a proxy) in this region, holding its numbers until the region ends (beginRegion). */
  attach(h: Value, own: Own): number {
    const i = this.alloc();
    if (own.d - own.d !== 0) this.dataNotFinite = true;
    this.data[i] = own.d;
    this.grad[i] = own.gr;
    this.op[i] = OP.leaf;
    this.in0[i] = -1;
    this.in1[i] = -1;
    this.slotGen[i] = this.gen;
    h.slot = i;
    h.gen = this.gen;
    this.proxies.push(h);
    return i;
  }

  /** Records that the current region uses kept op node i as an input. */
  usesKept(i: number): void {
    if (this.oldOpMax < 0) this.oldOpMin = this.oldOpMax = i;
    else {
      if (i < this.oldOpMin) this.oldOpMin = i;
      if (i > this.oldOpMax) this.oldOpMax = i;
    }
  }

  setMaxNodes(n: number): void {
    this.maxNodes = n;
    if (this.fastEnd !== 0) this.fastEnd = Math.min(this.data.length, this.floor + n);
  }

  /** Too many nodes in one step: drop the region (its handles go stale) and fail at the user's line. */
  private abortRegion(): never {
    this.gen++;
    this.beginRegion(false);
    throw new GradscopeLimitError(
      `This step built more than ${this.maxNodes.toLocaleString("en-US")} nodes before calling backward(). ` +
        `Use a smaller batch, or raise the limit (gradscope.maxNodesPerStep / --max-nodes) if you meant it.`,
    );
  }

  private grow(): void {
    const n = this.data.length * 2;
    const f64 = (a: Float64Array) => { const b = new Float64Array(n); b.set(a); return b; };
    const i32 = (a: Int32Array) => { const b = new Int32Array(n); b.set(a); return b; };
    this.data = f64(this.data);
    this.grad = f64(this.grad);
    this.k = f64(this.k);
    this.kWords = new Int32Array(this.k.buffer);
    this.in0 = i32(this.in0);
    this.in1 = i32(this.in1);
    this.slotGen = i32(this.slotGen);
    this.mark = i32(this.mark);
    this.below = new Int32Array(n);
    const op = new Uint8Array(n);
    op.set(this.op);
    this.op = op;
  }
}

export const store = new Store();
