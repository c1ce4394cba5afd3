import * as path from "node:path";
import { describe, expect, it } from "vitest";
import type { InsightRequest, InsightResponse } from "../../src/protocol/insight";
import { OP } from "../../src/protocol/ops";
import { ModelSession } from "../../src/runner/session";
import type { SessionEvent } from "../../src/runner/types";

// The real runner process and worker (`npm run build` first): findings, breaks and insight answers end to end.
const RUNNER = path.resolve("dist/runner.js");
const example = (name: string) => path.resolve("examples", name);

/** Starts a session; resolves `paused` at the first pause; `ask` sends a request and resolves with its answer. */
function open(file: string, startPaused: boolean) {
  const session = new ModelSession({ file, startPaused, throttleMs: 0 }, RUNNER);
  const events: SessionEvent[] = [];
  const waiting = new Map<number, (r: InsightResponse) => void>();
  let onPause: (() => void) | undefined;
  const paused = new Promise<void>((resolve) => (onPause = resolve));
  session.onEvent((e) => {
    events.push(e);
    if (e.type === "state" && e.state === "paused") onPause?.();
    if (e.type === "insight") waiting.get(e.response.id)?.(e.response);
  });
  const ask = (req: InsightRequest) => new Promise<InsightResponse>((resolve) => {
    waiting.set(req.id, resolve);
    session.insight(req);
  });
  return { session, events, paused, ask, start: session.start() };
}

describe("insight requests answered by the runner process", () => {
  it("the seed, paused at step 1: what-if a = 2.1 (ΔL 4.2 predicted, 4.29 actual), gradcheck, explain, layer stats", async () => {
    const s = open(example("chain-rule.ts"), true);
    await s.start;
    await s.paused;
    const w = await s.ask({ kind: "what-if", id: 7, step: 1, node: 0, value: 2.1 });
    expect(w).toMatchObject({ kind: "what-if", id: 7, step: 1, source: "history", before: 2, lossBefore: 49 });
    if (w.kind !== "what-if") throw new Error("not a what-if");
    expect(w.predicted).toBeCloseTo(4.2, 10);
    expect(w.actual).toBeCloseTo(4.29, 10);
    expect(w.moved).toBeInstanceOf(Float64Array);

    const g = await s.ask({ kind: "gradcheck", id: 8, step: 1 });
    if (g.kind !== "gradcheck") throw new Error("not a gradcheck");
    expect(g.rows.map((r) => [r.label, r.analytic, r.flagged])).toEqual(expect.arrayContaining([["a", 42, false], ["b", 28, false]]));

    const e = await s.ask({ kind: "explain", id: 9, step: 1, node: 1 });
    expect(e).toMatchObject({ kind: "explain", id: 9, gradient: 28, recorded: 28, sumShown: 28, pathCount: 1 });

    const l = await s.ask({ kind: "layer-stats", id: 10, step: 1 });
    expect(l).toMatchObject({ kind: "layer-stats", id: 10, layers: [] });

    const old = await s.ask({ kind: "explain", id: 11, step: 40, node: 0 });
    expect(old).toMatchObject({ id: 11, source: "latest", step: 1, note: expect.stringContaining("step 40 is no longer held") });

    const bad = await s.ask({ kind: "explain", id: 12, step: 1, node: 500 });
    expect(bad).toMatchObject({ kind: "error", id: 12, message: expect.stringContaining("node 500") });
    s.session.dispose();
  });

  it("nan-hunt.ts pauses at the first non-finite value by default: break + finding at the log's line, step 5", async () => {
    const s = open(example("nan-hunt.ts"), false);
    await s.start;
    await s.paused;
    const brk = s.events.find((e) => e.type === "break");
    const finding = s.events.find((e) => e.type === "finding");
    expect(brk).toMatchObject({ brk: { kind: "nan", step: 5, location: { line: 13 } } });
    expect(finding).toMatchObject({ finding: { kind: "nan-origin", step: 5, op: "log", location: { line: 13 } } });
    expect(s.session.state).toBe("paused");
    expect(s.session.currentStep).toBe(5);
    // Explain the log node: its gradient and its path to the loss.
    const snap = s.session.latest()!;
    const logNode = snap.topology.op.indexOf(OP.log);
    expect(logNode).toBeGreaterThan(0);
    const e = await s.ask({ kind: "explain", id: 1, step: 5, node: logNode });
    expect(e).toMatchObject({ kind: "explain", step: 5, source: "history" });
    s.session.dispose();
  });
});
