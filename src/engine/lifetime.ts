import { NodeKind, OP } from "../protocol/ops";
import { StaleValueError } from "./errors";
import { meta } from "./meta";
import { store } from "./store";
import { opHandle, Own, type Value } from "./value";

/**
 * What a handle means once its step is over: the slot of an operand that is
 * not a node of the current region, reads and writes of older nodes, and the
 * StaleValueError when the node is gone (see store.ts for the generations).
 */

/**
 * The slot of an operand that is not simply a node of this region: begins the
 * region if backward() ran since the last node (keeping the old one when this
 * op builds on it), gives a leaf a proxy slot, or accepts a kept op node.
 */
export function slotFor(h: Value, partner: Value | null): number {
  const s = store;
  if (s.allocGen !== s.gen) s.beginNext(carried(h) || (partner !== null && carried(partner)));
  if (h.gen >= s.gen) return h.slot;
  const own = h.own;
  if (own !== null && own.leaf) return s.attach(h, own);
  if (h.gen >= 0 && s.slotGen[h.slot] === h.gen && h.slot < s.floor) {
    s.usesKept(h.slot);
    return h.slot;
  }
  throw new StaleValueError(
    `This Value was made in step ${h.gen + 1} and is used in step ${s.gen + 1}, but its graph was recycled when step ${s.gen + 1} began building. ` +
      `A step's nodes can be built on in the next step only before it makes any other node. ` +
      `To carry a number across steps use its .data; to train it, make it a leaf: new Value(v.data).`,
  );
}

/** An op node of the region that backward() just ended: using it keeps that region for good. */
function carried(h: Value): boolean {
  return (h.own === null || !h.own.leaf) && h.gen === store.allocGen && h.slot >= store.floor;
}

export function isLeaf(h: Value): boolean {
  return h.own !== null && h.own.leaf;
}

/** The handle's slot still holds its node (a node of this region, a kept node, or one not yet overwritten). */
export function intact(h: Value): boolean {
  return h.gen >= store.gen || (h.gen >= 0 && store.slotGen[h.slot] === h.gen);
}

export function liveSlot(h: Value): number {
  if (intact(h)) return h.slot;
  throw staleRead(h);
}

export function readOld(h: Value, grad: boolean): number {
  const s = store;
  if (h.gen >= 0 && s.slotGen[h.slot] === h.gen) return grad ? s.grad[h.slot] : s.data[h.slot];
  if (h.own !== null) return grad ? h.own.gr : h.own.d;
  throw staleRead(h);
}

export function writeOld(h: Value, grad: boolean, v: number): void {
  const s = store, own = h.own;
  if (h.gen >= 0 && s.slotGen[h.slot] === h.gen) (grad ? s.grad : s.data)[h.slot] = v;
  else if (own === null) throw staleRead(h);
  if (own !== null) {
    if (grad) own.gr = v;
    else own.d = v;
  }
}

function staleRead(h: Value): StaleValueError {
  return new StaleValueError(
    `This Value was made in step ${h.gen + 1}; its slot now holds a node of a later step's graph. ` +
      `A step's nodes live until the next step builds its own (leaves, parameters and each loss passed to backward() keep their numbers). ` +
      `Read what you need before the next forward pass, e.g. keep v.data instead of v.`,
  );
}

/** A handle for slot j (an input of a live node): a leaf's own handle, or a new handle to the op node. */
export function handleAt(j: number): Value {
  const s = store;
  if (s.op[j] === OP.leaf) {
    const list = j >= s.floor ? s.proxies : s.residents;
    let lo = 0, hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1, at = list[mid].slot;
      if (at === j) return list[mid];
      if (at < j) lo = mid + 1;
      else hi = mid - 1;
    }
  }
  const v = opHandle(j);
  v.gen = s.slotGen[j];
  return v;
}

/**
 * The slot backward() starts from: a node of this region, of the region
 * backward() just ended (still intact: nothing was built since), a kept node,
 * or a leaf (which gets a proxy slot).
 */
export function rootSlot(h: Value): number {
  const s = store;
  if (h.gen >= s.gen) return h.slot;
  if (h.gen >= 0 && s.slotGen[h.slot] === h.gen && (h.gen === s.allocGen || h.slot < s.floor)) return h.slot;
  if (isLeaf(h)) return slotFor(h, null);
  throw staleRead(h);
}

/** Freezes a backward() root's numbers and names in its handle, for when its slot is recycled. */
export function freeze(root: Value): void {
  if (isLeaf(root)) return;
  const i = root.slot, s = store;
  if (root.own === null) root.own = new Own(s.data[i], s.grad[i], meta.labelOf(i), false, NodeKind.value, meta.locOf(i), meta.groupOf(i));
  else {
    root.own.d = s.data[i];
    root.own.gr = s.grad[i];
  }
}
