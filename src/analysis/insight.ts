import type { GraphTopology, ParamUpdate } from "../protocol/graph";
import type { InsightRequest, InsightResponse } from "../protocol/insight";
import { explain } from "./explain";
import { gradcheckNodes, gradcheckTargets } from "./gradcheck";
import { layerStats } from "./layers";
import { whatIf } from "./whatIf";

/** One recorded step, as the runner process holds it. */
export interface StepRecord {
  step: number;
  loss: number;
  topology: GraphTopology;
  data: Float64Array;
  grad: Float64Array;
  updates: ParamUpdate[];
}

export interface AnswerContext {
  /** "history" when `record` is the step asked for. */
  source: "history" | "latest";
  note?: string;
  /** Earlier steps still held (for layer-stats history), oldest first. */
  earlier?: StepRecord[];
}

/** Answers an insight request from a recorded step (pure: replay only, the model's code does not run). */
export function answerInsight(req: InsightRequest, rec: StepRecord, ctx: AnswerContext): InsightResponse {
  const t = rec.topology, n = t.op.length;
  const head = { id: req.id, step: rec.step, source: ctx.source, ...(ctx.note ? { note: ctx.note } : {}) };
  const bad = (message: string): InsightResponse => ({ kind: "error", id: req.id, request: req.kind, message });
  if (n === 0) return bad("the step has no graph");
  if (req.hash !== undefined && req.hash !== t.hash && ctx.source === "history") return bad(`step ${rec.step}'s graph has another shape than the one the request was made on`);
  if ("node" in req && req.node !== undefined && req.node >= n) return bad(`node ${req.node} is not in step ${rec.step}'s graph (${n} nodes)`);
  switch (req.kind) {
    case "gradcheck": {
      const nodes = req.node !== undefined ? [req.node] : gradcheckTargets(t);
      const r = gradcheckNodes(t, rec.data, rec.grad, nodes, { eps: req.eps, tol: req.tol });
      return { kind: "gradcheck", ...head, rows: r.rows, loss: r.loss, tol: r.tol };
    }
    case "what-if": {
      const r = whatIf(t, rec.data, req.node, req.value);
      return { kind: "what-if", ...head, node: req.node, ...r };
    }
    case "explain": {
      const r = explain(t, rec.data, req.node, req.k ?? 5);
      return { kind: "explain", ...head, node: req.node, recorded: rec.grad[req.node], ...r };
    }
    case "layer-stats": {
      const layers = layerStats(t, rec.data, rec.grad, rec.updates, req.bins ?? 20);
      const history = (ctx.earlier ?? []).slice(-(req.historySteps ?? 0) || undefined).filter(() => (req.historySteps ?? 0) > 0).map((e) => {
        const s = layerStats(e.topology, e.data, e.grad, e.updates, 2);
        const byPath = new Map(s.map((l) => [l.path, l.updateRatioLog10]));
        return { step: e.step, updateRatioLog10: layers.map((l) => byPath.get(l.path) ?? null) };
      });
      return { kind: "layer-stats", ...head, layers, history };
    }
  }
}
