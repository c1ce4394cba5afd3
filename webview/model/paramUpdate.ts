import type { ParamUpdate } from "../../src/protocol/graph";
import { formatNumber as fmt } from "../../src/graph/format";

/** An optimizer update as arithmetic: `w: 0.52 − 0.01 × 3.1 = 0.489`. */
export function paramUpdateText(u: ParamUpdate): string {
  if (u.rule === "sgd") return `${u.label}: ${fmt(u.before)} − ${fmt(u.lr)} × ${fmt(u.grad)} = ${fmt(u.after)}`;
  // Momentum and Adam scale the step by optimizer state we do not receive; show the step they took.
  return `${u.label}: ${fmt(u.before)} → ${fmt(u.after)} (${u.rule}, lr ${fmt(u.lr)}, grad ${fmt(u.grad)}, step ${fmt(u.after - u.before)})`;
}

export function lastUpdateOf(updates: ParamUpdate[], node: number): ParamUpdate | undefined {
  for (let i = updates.length - 1; i >= 0; i--) if (updates[i].node === node) return updates[i];
  return undefined;
}
