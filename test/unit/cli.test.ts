import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { snapshotFromJSON } from "../../src/protocol/graph";

// The built CLI, as scripts outside this repo run it (`npm run build` first).
const CLI = path.resolve("dist/cli.js");
const dir = mkdtempSync(path.join(tmpdir(), "gradscope-cli-"));

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(process.execPath, [CLI, ...args], { cwd: path.resolve("examples") }, (err, stdout, stderr) =>
      resolve({ code: err ? (err as { code?: number }).code ?? 1 : 0, stdout, stderr }),
    ),
  );
}
const events = (stdout: string) => stdout.trim().split("\n").map((l) => JSON.parse(l));

describe("gradscope run --json", () => {
  it("the seed: one step event with leaves a=42, b=28, then end", async () => {
    const r = await cli("run", "chain-rule.ts", "--json");
    expect(r.code).toBe(0);
    const [step, end, ...rest] = events(r.stdout);
    expect(rest).toEqual([]);
    expect(step).toEqual({
      event: "step", step: 1, loss: 49, nodes: 5, edges: 4,
      values: [
        { id: 0, label: "a", op: "leaf", data: 2, grad: 42 },
        { id: 1, label: "b", op: "leaf", data: 3, grad: 28 },
      ],
    });
    expect(end).toEqual({ event: "end", steps: 1, reason: "finished" });
    // The model's own console output stays off stdout in JSON mode.
    expect(r.stderr).toContain("∂loss/∂a = 42");
  });

  it("--values all and none", async () => {
    const all = events((await cli("run", "chain-rule.ts", "--json", "--values", "all")).stdout)[0];
    expect(all.values.map((v: { label: string }) => v.label)).toEqual(["a", "b", "c", "d", "loss"]);
    const none = events((await cli("run", "chain-rule.ts", "--json", "--values", "none")).stdout)[0];
    expect(none.values).toEqual([]);
  });

  it("--steps N stops with reason max-steps; the coffee shop's loss falls", async () => {
    const r = await cli("run", "coffee-shop.ts", "--json", "--steps", "3");
    expect(r.code).toBe(0);
    const ev = events(r.stdout);
    expect(ev.map((e) => e.event)).toEqual(["step", "step", "step", "end"]);
    expect(ev[3]).toEqual({ event: "end", steps: 3, reason: "max-steps" });
    expect(ev[1].loss).toBeLessThan(ev[0].loss);
    expect(ev[0].values.map((v: { label: string }) => v.label)).toEqual(["start", "change"]);
    // step 2 shows the update made after step 1: start = 500 − 0.01 × grad.
    expect(ev[1].values[0].data).toBeCloseTo(500 - 0.01 * ev[0].values[0].grad, 9);
  });

  it("a thrown error: error event at the user's line, exit 1", async () => {
    const file = path.join(dir, "throws.ts");
    writeFileSync(file, `import { Value } from "gradscope";\nconst a = new Value(1);\n\nconst b = a.div(0).log();\nthrow new Error("bad model");\n`);
    const r = await cli("run", file, "--json");
    expect(r.code).toBe(1);
    const [error, end] = events(r.stdout);
    expect(error).toMatchObject({ event: "error", message: "Error: bad model", line: 5, column: 7 });
    expect(error.file).toMatch(/throws\.ts$/);
    expect(end).toEqual({ event: "end", steps: 0, reason: "error" });
  });

  it("a compile error: error event at the line, exit 1", async () => {
    const file = path.join(dir, "syntax.ts");
    writeFileSync(file, `const x = 1;\nconst y = (x;\n`);
    const r = await cli("run", file, "--json");
    expect(r.code).toBe(1);
    expect(events(r.stdout)[0]).toMatchObject({ event: "error", kind: "compile", line: 2 });
  });

  it("--timeout: reason timeout, exit 1", async () => {
    const file = path.join(dir, "loop.ts");
    writeFileSync(file, `for (;;) {}\n`);
    const r = await cli("run", file, "--json", "--timeout", "0.5");
    expect(r.code).toBe(1);
    expect(events(r.stdout).at(-1)).toEqual({ event: "end", steps: 0, reason: "timeout" });
  });

  it("NaN and Infinity are written as strings, not as invalid JSON", async () => {
    const file = path.join(dir, "nan.ts");
    writeFileSync(file, `import { Value } from "gradscope";\nconst x = new Value(-1);\nconst y = x.pow(0.5);\ny.backward();\n`);
    const r = await cli("run", file, "--json", "--values", "all");
    const step = events(r.stdout)[0];
    expect(step.loss).toBe("NaN");
    expect(step.values[0].grad).toBe("NaN");
  });
});

describe("gradscope usage", () => {
  it("bad usage exits 2 with a message", async () => {
    for (const args of [[], ["walk", "x.ts"], ["run"], ["run", "chain-rule.ts", "--steps", "0"], ["run", "chain-rule.ts", "--bogus"], ["run", "missing.ts"], ["run", "chain-rule.ts", "--export", "out.png"]]) {
      const r = await cli(...args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(/^gradscope: /);
    }
  });

  it("human mode prints a line per step and a summary", async () => {
    const r = await cli("run", "coffee-shop.ts", "--steps", "2");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/step +1 +loss [\d.]+ +\(32 nodes\)\nstep +2 +loss/);
    expect(r.stdout).toMatch(/done: 2 steps, final loss/);
  });

  it("--export writes JSON that round-trips, DOT, and SVG", async () => {
    const json = path.join(dir, "seed.json"), dot = path.join(dir, "seed.dot"), svg = path.join(dir, "seed.svg");
    for (const f of [json, dot, svg]) expect((await cli("run", "chain-rule.ts", "--export", f)).code).toBe(0);
    const snap = snapshotFromJSON(JSON.parse(readFileSync(json, "utf8")));
    expect(Array.from(snap.values.grad)).toEqual([42, 28, 14, 14, 1]);
    expect(readFileSync(dot, "utf8")).toMatch(/^digraph gradscope \{[\s\S]*v0 -> op2;[\s\S]*\}\n$/);
    expect(readFileSync(svg, "utf8")).toMatch(/^<svg [\s\S]*grad 42[\s\S]*<\/svg>\n$/);
  });
});
