import { OP } from "../protocol/ops";
import { engine } from "./context";
import { backwardHashing, backwardListing, backwardLowering, backwardRegion } from "./kernel";
import { store } from "./store";
import { freeze, rootSlot } from "./lifetime";
import type { Value } from "./value";

/**
 * What the last backward() (or markForward()) reached, for the reporter: the
 * nodes with mark === epoch among the root's region [floor, root] (regionReached
 * of them, whose shape hashes to `shape` when store.hashShapes is on; when
 * `listed`, the `below` slots under the region it reached are in store.below),
 * the kept slots [keptLo, keptHi] it walked, and the residents.
 */
export const lastPass = { epoch: 0, root: -1, floor: 0, keptLo: 0, keptHi: -1, regionReached: 0, hashed: false, listed: false, shape: 0, below: 0 };

const kernelOut = new Int32Array(2);

/**
 * Reverse-mode autodiff without a topological sort: creation order already is
 * one, so backward() walks the root's region from the root down, skipping
 * nodes the root does not reach (an epoch mark, no Set, no recursion), then
 * any kept nodes of earlier steps this region built on.
 */
export function backward(root: Value): void {
  const s = store;
  const r = rootSlot(root);
  const ep = ++s.epoch;
  const unzeroed = warned || !engine.onWarning ? null : leavesWithGrad(r);
  s.grad[r] = 1;
  s.mark[r] = ep;
  let keptHi = -1, keptLo = 0, regionReached = 0;
  kernelOut[0] = kernelOut[1] = 0;
  // The reporter finds the reached leaves under the region by their marks (O(residents)), or, when they outnumber the region, in the list.
  const listed = r >= s.floor && s.hashShapes && s.residents.length > r - s.floor;
  if (r >= s.floor) {
    const kernel = listed ? backwardListing : s.hashShapes ? backwardHashing : backwardRegion;
    regionReached = kernel(r, s.floor, ep, s.data, s.grad, s.op, s.in0, s.in1, s.k, s.mark, s.kWords, kernelOut, s.below);
    keptHi = s.oldOpMax;
    if (keptHi >= 0) keptLo = backwardLowering(keptHi, s.oldOpMin, ep, s.data, s.grad, s.op, s.in0, s.in1, s.k, s.mark, s.kWords, kernelOut, s.below);
  } else if (s.op[r] !== OP.leaf) {
    keptHi = r;
    keptLo = backwardLowering(r, r, ep, s.data, s.grad, s.op, s.in0, s.in1, s.k, s.mark, s.kWords, kernelOut, s.below);
  }
  Object.assign(lastPass, { epoch: ep, root: r, floor: s.floor, keptLo, keptHi, regionReached, hashed: s.hashShapes, listed, shape: kernelOut[0], below: kernelOut[1] });
  if (unzeroed) warnIfReached(unzeroed, ep);
  freeze(root);
  s.endGeneration();
  engine.steps++;
  if (engine.onBackward) engine.onBackward(root);
}

/**
 * Marks what the last node built since the last backward() reaches, without
 * touching grads: the forward graph of a model that never calls backward().
 * Returns false when no node was built since.
 */
export function markForward(): boolean {
  const s = store;
  if (s.allocGen !== s.gen || s.top === s.floor) return false;
  const r = s.top - 1, ep = ++s.epoch;
  const { mark, in0, in1, op } = s;
  mark[r] = ep;
  let regionReached = 0;
  const walk = (hi: number, lo: number, lowering: boolean): number => {
    for (let i = hi; i >= lo; i--) {
      if (mark[i] !== ep) continue;
      if (!lowering) regionReached++;
      for (const j of [in0[i], in1[i]]) {
        if (j < 0) continue;
        mark[j] = ep;
        if (lowering && j < lo && op[j] !== OP.leaf) lo = j;
      }
    }
    return lo;
  };
  walk(r, s.floor, false);
  const keptHi = s.oldOpMax;
  const keptLo = keptHi >= 0 ? walk(keptHi, s.oldOpMin, true) : 0;
  Object.assign(lastPass, { epoch: ep, root: r, floor: s.floor, keptLo, keptHi, regionReached, hashed: false, listed: false, shape: 0, below: 0 });
  return true;
}

let warned = false;

/** Leaves other than the root holding a grad before backward() starts: candidates for the not-zeroed warning. */
function leavesWithGrad(r: number): { leaf: Value; grad: number }[] {
  const out: { leaf: Value; grad: number }[] = [];
  for (const list of [store.residents, store.proxies]) {
    for (const leaf of list) if (leaf.slot !== r && store.grad[leaf.slot] !== 0) out.push({ leaf, grad: store.grad[leaf.slot] });
  }
  return out;
}

function warnIfReached(candidates: { leaf: Value; grad: number }[], ep: number): void {
  const c = candidates.find(({ leaf }) => store.mark[leaf.slot] === ep);
  if (!c || !engine.onWarning) return;
  warned = true;
  engine.onWarning(
    `${c.leaf.label ?? "A leaf"} already had grad ${c.grad} before this backward(): gradients accumulate, as in micrograd. ` +
      `Zero them first (model.zeroGrad(), or p.grad = 0 for each parameter) unless you mean to accumulate.`,
    c.leaf,
  );
}
