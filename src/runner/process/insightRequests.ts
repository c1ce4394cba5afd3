import { answerInsight, type StepRecord } from "../../analysis/insight";
import type { GraphTopology, GraphValues, ParamUpdate } from "../../protocol/graph";
import type { InsightRequest, InsightResponse } from "../../protocol/insight";

/** Steps kept here for answering requests while the runner has no history ring of its own (see lookup). */
const OWN_STEPS = 8;

/**
 * Answers the panel's insight requests (gradcheck, what-if, explain, layer
 * stats) in the runner process, from the recorded graph of the step asked
 * for: replay only (src/analysis/), the model's code does not run again and
 * the model worker is not disturbed. The step comes from `lookup` (the
 * runner's step history ring, when there is one) or from the last few full
 * reports kept here; a step no longer held is answered from the latest one,
 * and the response says so.
 *
 * Memory: the arrays kept are the ones the worker's messages brought (no
 * further copies); at most OWN_STEPS of them.
 */
export class InsightRequests {
  private readonly own: StepRecord[] = [];

  constructor(private readonly lookup?: (step: number) => StepRecord | undefined) {}

  /** A step report with every node's numbers, as the worker sent it (call before its values are subset or sent on). */
  record(step: number, loss: number, topology: GraphTopology, values: GraphValues, updates: ParamUpdate[]): void {
    if (values.data.length !== topology.op.length || values.grad.length !== topology.op.length) return;
    const last = this.own[this.own.length - 1];
    if (last && last.step === step) this.own.pop();
    this.own.push({ step, loss, topology, data: values.data, grad: values.grad, updates });
    if (this.own.length > OWN_STEPS) this.own.shift();
  }

  answer(req: InsightRequest): InsightResponse {
    try {
      const found = this.lookup?.(req.step) ?? this.own.find((r) => r.step === req.step);
      const latest = this.own[this.own.length - 1];
      const rec = found ?? latest;
      if (!rec) return { kind: "error", id: req.id, request: req.kind, message: "no step has been recorded yet: the model has not called backward()" };
      const earlier = this.own.filter((r) => r.step < rec.step);
      if (found) return answerInsight(req, rec, { source: "history", earlier });
      const note = `step ${req.step} is no longer held by the runner (it keeps the last ${OWN_STEPS} reported steps: ${this.own.map((r) => r.step).join(", ")}); answered from step ${rec.step}`;
      return answerInsight(req, rec, { source: "latest", note, earlier });
    } catch (e) {
      return { kind: "error", id: req.id, request: req.kind, message: `Gradscope could not answer: ${(e as Error).message}` };
    }
  }
}
