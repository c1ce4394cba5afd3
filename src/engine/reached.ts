import { lastPass } from "./backward";
import { PERM, store } from "./store";
import type { Value } from "./value";

/** Whether the last backward() reached this leaf (it is in that step's graph). O(1). */
export function reachedByLastBackward(v: Value): boolean {
  const live = v.gen === PERM || v.gen === store.allocGen;
  return live && v.slot >= 0 && store.mark[v.slot] === lastPass.epoch;
}
