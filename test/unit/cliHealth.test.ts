import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

// The built CLI (`npm run build` first), run on the examples that show each finding on purpose.
const CLI = path.resolve("dist/cli.js");

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(process.execPath, [CLI, ...args], { cwd: path.resolve("examples") }, (err, stdout, stderr) =>
      resolve({ code: err ? (err as { code?: number }).code ?? 1 : 0, stdout, stderr }),
    ),
  );
}
type Ev = Record<string, unknown> & { event: string };
const events = (stdout: string): Ev[] => stdout.trim().split("\n").map((l) => JSON.parse(l));
const fixture = (name: string) => path.resolve("test/fixtures/models", name);
/** The 1-based line of the example that contains `text` (so the tests follow edits of the examples). */
const lineOf = (file: string, text: string) => readFileSync(path.resolve("examples", file), "utf8").split("\n").findIndex((l) => !l.startsWith("//") && l.includes(text)) + 1;

describe("findings as CLI events, each on its example", () => {
  it("nan-hunt.ts: nan-origin at the log, step 5; the run goes on without --break-on", async () => {
    const r = await cli("run", "nan-hunt.ts", "--json", "--values", "none");
    expect(r.code).toBe(0);
    const ev = events(r.stdout);
    const f = ev.filter((e) => e.event === "finding");
    expect(f).toEqual([
      { event: "finding", kind: "nan-origin", step: 5, label: "log#5", op: "log", file: "nan-hunt.ts", line: lineOf("nan-hunt.ts", "const barrier"), node: 5, detail: "log of 0 → −∞, first non-finite value in step 5 (forward)" },
    ]);
    expect(ev.at(-1)).toEqual({ event: "end", steps: 12, reason: "finished" });
  });

  it("--break-on nan ends the run at the first non-finite value with reason breakpoint", async () => {
    const r = await cli("run", "nan-hunt.ts", "--json", "--values", "none", "--break-on", "nan");
    expect(r.code).toBe(0);
    const ev = events(r.stdout);
    const brk = ev.find((e) => e.event === "break")!;
    expect(brk).toMatchObject({ kind: "nan", step: 5, label: "log#5", file: "nan-hunt.ts", line: lineOf("nan-hunt.ts", "const barrier") });
    expect(ev.filter((e) => e.event === "step").map((e) => e.step)).toEqual([1, 2, 3, 4, 5]);
    expect(ev.at(-1)).toEqual({ event: "end", steps: 5, reason: "breakpoint" });
  });

  it("dead-relu.ts: the neuron with bias −10, after 10 steps, at the forward line", async () => {
    const f = events((await cli("run", "dead-relu.ts", "--json", "--values", "none")).stdout).filter((e) => e.event === "finding");
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ kind: "dead-relu", step: 10, label: "MLP/layer1/neuron2", op: "relu", file: "dead-relu.ts", line: lineOf("dead-relu.ts", "const scores") });
  });

  it("saturation.ts: tanhNet/layer1 saturated in step 1 at the tanh line", async () => {
    const f = events((await cli("run", "saturation.ts", "--json", "--values", "none")).stdout).filter((e) => e.event === "finding");
    expect(f.map((e) => e.kind)).toEqual(["saturation"]);
    expect(f[0]).toMatchObject({ step: 1, label: "tanhNet/layer1", op: "tanh", file: "saturation.ts", line: lineOf("saturation.ts", "const h =") });
    expect(f[0].detail).toMatch(/^\d+(\.\d+)?% of tanhNet\/layer1's 240 tanh\/sigmoid outputs are saturated/);
  });

  it("leak.ts: growing-graph at the carried Value's line, step 4 (and the carried leaf's not-zeroed)", async () => {
    const f = events((await cli("run", "leak.ts", "--json", "--values", "none")).stdout).filter((e) => e.event === "finding");
    const grow = f.find((e) => e.kind === "growing-graph")!;
    expect(grow).toMatchObject({ step: 4, op: "mul", file: "leak.ts", line: lineOf("leak.ts", "state = state.mul") });
    expect(f.find((e) => e.kind === "not-zeroed")).toMatchObject({ label: "state0", step: 2 });
  });

  it("no-grad.ts: the parameter left out of the loss, at its line, step 2", async () => {
    const f = events((await cli("run", "no-grad.ts", "--json", "--values", "none")).stdout).filter((e) => e.event === "finding");
    expect(f).toEqual([
      { event: "finding", kind: "no-grad", step: 2, label: "bias", op: "leaf", file: "no-grad.ts", line: lineOf("no-grad.ts", "const bias"), node: -1, detail: expect.stringContaining("not reached by backward()") },
    ]);
  });

  it("the well-behaved examples have no findings", async () => {
    for (const file of ["chain-rule.ts", "coffee-shop.ts"]) {
      const ev = events((await cli("run", file, "--json", "--values", "none", "--steps", "30")).stdout);
      expect(ev.filter((e) => e.event === "finding")).toEqual([]);
    }
  });
});

describe("--break-on and breakpoint()", () => {
  it("loss-up:50 stops at the step the loss doubled; grad-above:10 at the gradient of 40", async () => {
    const up = events((await cli("run", fixture("lossUp.ts"), "--json", "--values", "none", "--break-on", "loss-up:50")).stdout);
    expect(up.find((e) => e.event === "break")).toMatchObject({ kind: "loss-up", step: 4, message: expect.stringContaining("loss rose 100%") });
    expect(up.at(-1)).toEqual({ event: "end", steps: 4, reason: "breakpoint" });
    const small = events((await cli("run", fixture("lossUp.ts"), "--json", "--values", "none", "--break-on", "loss-up:150")).stdout);
    expect(small.some((e) => e.event === "break")).toBe(false);
    const grad = events((await cli("run", fixture("lossUp.ts"), "--json", "--values", "none", "--break-on", "nan,grad-above:10")).stdout);
    expect(grad.find((e) => e.event === "break")).toMatchObject({ kind: "grad-above", step: 6, label: "w" });
    expect(grad.at(-1)).toMatchObject({ reason: "breakpoint", steps: 6 });
  });

  it("a finding kind as a breakpoint: --break-on no-grad", async () => {
    const ev = events((await cli("run", "no-grad.ts", "--json", "--values", "none", "--break-on", "no-grad")).stdout);
    expect(ev.find((e) => e.event === "break")).toMatchObject({ kind: "finding", step: 2, line: lineOf("no-grad.ts", "const bias") });
    expect(ev.at(-1)).toMatchObject({ reason: "breakpoint", steps: 2 });
  });

  it("a model's own breakpoint(\"why\") ends the CLI run there, with its message and line", async () => {
    const ev = events((await cli("run", fixture("breakpointCall.ts"), "--json", "--values", "none")).stdout);
    const brk = ev.find((e) => e.event === "break")!;
    expect(brk).toMatchObject({ kind: "call", step: 3, message: "step 3: w is 1", line: 8 });
    expect(ev.at(-1)).toMatchObject({ event: "end", reason: "breakpoint", steps: 3 });
  });

  it("bad --break-on lists are usage errors (exit 2)", async () => {
    for (const bad of ["loss-up", "grad-above:-1", "nan:3", "sometimes"]) {
      const r = await cli("run", "chain-rule.ts", "--break-on", bad);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("--break-on");
    }
  });
});

describe("--gradcheck", () => {
  it("the seed: analytic 42/28 next to central differences of the replayed graph", async () => {
    const ev = events((await cli("run", "chain-rule.ts", "--json", "--gradcheck")).stdout);
    const rows = ev.filter((e) => e.event === "gradcheck");
    expect(rows.map((e) => e.label).sort()).toEqual(["a", "b"]);
    const a = rows.find((e) => e.label === "a")!;
    expect(a.analytic).toBe(42);
    expect(a.numeric as number).toBeCloseTo(42, 5);
    expect(a.relError as number).toBeLessThan(1e-6);
    expect(a.flagged).toBe(false);
    // gradcheck events come before the end, which stays last.
    expect(ev.at(-1)?.event).toBe("end");
  });

  it("every parameter of the moons MLP at its last step, none flagged", async () => {
    const ev = events((await cli("run", "moons-mlp.ts", "--json", "--values", "none", "--steps", "3", "--gradcheck")).stdout);
    const rows = ev.filter((e) => e.event === "gradcheck");
    expect(rows).toHaveLength(2 * 16 + 16 + 16 * 16 + 16 + 16 + 1);
    expect(rows.every((e) => e.step === 3)).toBe(true);
    expect(rows.filter((e) => e.flagged)).toEqual([]);
  });
});
