import type { GraphTopology } from "../protocol/graph";
import type { GradcheckRow } from "../protocol/health";
import { NodeKind, OP } from "../protocol/ops";
import { nodeName, replayBackward, replayForward } from "./replay";

export interface GradcheckOptions {
  /** Finite-difference step: h = eps · max(1, |x|) (default 1e-6). */
  eps?: number;
  /** relError above this is flagged (default 1e-4). */
  tol?: number;
}

export const DEFAULT_GRADCHECK_TOL = 1e-4;

/**
 * Gradcheck by replay: for each node, the analytic ∂loss/∂node (reverse mode
 * through rules.ts on the recorded graph) next to the central difference
 * (L(x + h) − L(x − h)) / 2h, where L is the graph replayed forward with that
 * one node nudged. relError = |analytic − numeric| / max(|analytic|, |numeric|, floor);
 * the floor, 1e-5 · max(1, |loss|) (PyTorch's gradcheck atol is 1e-5 too),
 * keeps two gradients that are both ~0 from being called different by
 * rounding: a central difference of a loss L is only good to ~1e-16·|L|/h
 * ≈ 1e-10·|L| (seen on the moons MLP: analytic −1e-17, numeric −1.1e-10). A row whose x ± h moves some ReLU's input across 0
 * is marked `kink` and not flagged: the difference straddles the kink.
 */
export function gradcheckNodes(t: GraphTopology, data: Float64Array, recorded: Float64Array, nodes: number[], options: GradcheckOptions = {}): { rows: GradcheckRow[]; loss: number; tol: number } {
  const eps = options.eps ?? 1e-6, tol = options.tol ?? DEFAULT_GRADCHECK_TOL;
  const root = t.op.length - 1;
  const base = replayForward(t, data, new Map());
  const loss = base[root];
  const analytic = replayBackward(t, base, root);
  const floor = 1e-5 * Math.max(1, Math.abs(loss));
  const upData = new Float64Array(t.op.length), downData = new Float64Array(t.op.length);
  const relus: number[] = [];
  for (let i = 0; i < t.op.length; i++) if (t.op[i] === OP.relu && t.in0[i] >= 0) relus.push(i);
  const rows: GradcheckRow[] = [];
  for (const i of nodes) {
    const x = base[i];
    const h = eps * Math.max(1, Math.abs(x));
    const up = replayForward(t, base, new Map([[i, x + h]]), upData)[root];
    const down = replayForward(t, base, new Map([[i, x - h]]), downData)[root];
    let kink = false;
    for (const r of relus) {
      const a = t.in0[r];
      if (upData[a] > 0 !== downData[a] > 0) {
        kink = true;
        break;
      }
    }
    const numeric = (up - down) / (2 * h);
    const a = analytic[i];
    const err = Math.abs(a - numeric) / Math.max(Math.abs(a), Math.abs(numeric), floor);
    const relError = Number.isNaN(err) ? (Object.is(a, numeric) ? 0 : Infinity) : err;
    rows.push({ node: i, label: nodeName(t, i), analytic: a, numeric, relError, recorded: recorded[i], flagged: !(relError <= tol) && !kink, ...(kink ? { kink } : {}) });
  }
  rows.sort((p, q) => q.relError - p.relError || p.node - q.node);
  return { rows, loss, tol };
}

/** The nodes "check all" means: every parameter, or every leaf when the graph has no parameters. */
export function gradcheckTargets(t: GraphTopology): number[] {
  const params: number[] = [], leaves: number[] = [];
  for (let i = 0; i < t.op.length; i++) {
    if (t.op[i] !== OP.leaf) continue;
    leaves.push(i);
    if (t.kind[i] === NodeKind.param) params.push(i);
  }
  return params.length > 0 ? params : leaves;
}
