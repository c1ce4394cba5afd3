import { execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { snapshotFromJSON } from "../../src/graph/snapshotJson";

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
const fixture = (name: string) => path.resolve("test/fixtures/models", name);

/** Runs a shell pipeline (bash, so PIPESTATUS gives the CLI's own exit status on the last line of stderr). */
function pipeline(cmd: string, env: Record<string, string> = {}): Promise<{ cliCode: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile("bash", ["-c", `${cmd}; echo "cli-exit \${PIPESTATUS[0]}" >&2`], { env: { ...process.env, ...env }, maxBuffer: 1 << 30 }, (_err, stdout, stderr) => {
      const m = /cli-exit (\d+)\s*$/.exec(stderr);
      resolve({ cliCode: m ? Number(m[1]) : -1, stdout, stderr: stderr.replace(/cli-exit \d+\s*$/, "") });
    }),
  );
}
const cliCmd = (...args: string[]) => [process.execPath, CLI, ...args].map((a) => `'${a}'`).join(" ");

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

  it("--every N prints every Nth step, the first and the last; a non-finite loss is still checked at its step", async () => {
    const steps = async (...args: string[]) =>
      events((await cli("run", ...args, "--json", "--values", "none")).stdout).filter((e) => e.event === "step").map((e) => e.step);
    expect(await steps("coffee-shop.ts", "--every", "7", "--steps", "10")).toEqual([1, 7, 10]);
    // The model ends on its own after 300 steps: the last is printed although 300 % 120 ≠ 0.
    expect(await steps("coffee-shop.ts", "--every", "120")).toEqual([1, 120, 240, 300]);
    const nan = events((await cli("run", "nan-hunt.ts", "--json", "--values", "none", "--every", "100")).stdout);
    expect(nan.find((e) => e.event === "finding")).toMatchObject({ kind: "nan-origin", step: 5 });
    expect(nan.filter((e) => e.event === "step").map((e) => e.step)).toContain(5);
    expect((await cli("run", "coffee-shop.ts", "--every", "0")).code).toBe(2);
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

  it("paths are checked before the model runs: a directory as the model, an --export folder that is not there (exit 2, nothing run)", async () => {
    const cases: [string[], RegExp][] = [
      [["run", "."], /is a directory/],
      [["run", "chain-rule.ts", "--export", path.join(dir, "no-such-dir", "g.json")], /--export: no such directory/],
      [["run", "chain-rule.ts", "--export", path.join(dir, "throws.ts", "g.json")], /--export: (not a directory|no such directory)/],
      [["run", "chain-rule.ts", "--json", "--frobnicate"], /unknown option '--frobnicate'/],
    ];
    writeFileSync(path.join(dir, "throws.ts"), "throw new Error('x');\n");
    for (const [args, message] of cases) {
      const r = await cli(...args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe("");
      expect(r.stderr).not.toMatch(/internal error|\bat .*\.js:\d+/);
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
    expect(readFileSync(svg, "utf8")).toMatch(/^<\?xml [^>]*>\n<svg [\s\S]*grad 42[\s\S]*<\/svg>\n$/);
  });
});

describe("gradscope run: the contract holds under pressure", () => {
  it("every line of a 300-step --json --values all run survives a pipe (| cat), ten times in a row", async () => {
    for (let round = 0; round < 10; round++) {
      const r = await pipeline(`${cliCmd("run", fixture("many.ts"), "--json", "--values", "all")} | cat`);
      expect(r.cliCode, `round ${round}`).toBe(0);
      const lines = r.stdout.split("\n");
      expect(lines.pop(), `round ${round}: output ends with a newline`).toBe("");
      expect(lines.length, `round ${round}`).toBe(301);
      const ev = lines.map((l) => JSON.parse(l));
      expect(ev.slice(0, 300).map((e) => e.step)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
      expect(ev[0].values).toHaveLength(ev[0].nodes);
      expect(ev[300]).toEqual({ event: "end", steps: 300, reason: "finished" });
    }
  });

  it("a reader that stops early and reads slowly still gets every event, end last", async () => {
    const r = await pipeline(`${cliCmd("run", fixture("many.ts"), "--json", "--values", "all")} | (sleep 1; cat)`);
    expect(r.cliCode).toBe(0);
    const ev = events(r.stdout);
    expect(ev).toHaveLength(301);
    expect(ev.at(-1)).toEqual({ event: "end", steps: 300, reason: "finished" });
  });

  it("| head -2 ends the run quietly: no stack trace, exit 0", async () => {
    const r = await pipeline(`${cliCmd("run", fixture("many.ts"), "--json", "--values", "all")} | head -2`);
    expect(r.stdout.trim().split("\n")).toHaveLength(2);
    expect(r.cliCode).toBe(0);
    expect(r.stderr).toBe("");
  });

  it("a model that SIGKILLs its own process: the CLI reports it, keeps the steps, ends with end, exit 1", async () => {
    const r = await cli("run", fixture("selfKill.ts"), "--json");
    expect(r.code).toBe(1);
    const ev = events(r.stdout);
    expect(ev.map((e) => e.event)).toEqual(["step", "step", "step", "error", "end"]);
    expect(ev[3].message).toMatch(/SIGKILL/);
    expect(ev[4]).toEqual({ event: "end", steps: 3, reason: "error" });
  });

  it("--memory 64 stops twelve 100 MB typed arrays with a clear error at the user's line", async () => {
    const r = await cli("run", fixture("typedArrayBomb.ts"), "--json", "--memory", "64");
    expect(r.code).toBe(1);
    const [error, end] = events(r.stdout);
    expect(error).toMatchObject({ event: "error", kind: "limit", line: 4 });
    expect(error.file).toMatch(/typedArrayBomb\.ts$/);
    expect(error.message).toMatch(/more than its 64 MB of memory/);
    expect(end).toEqual({ event: "end", steps: 0, reason: "error" });
  });

  it("`throw {code: 7}` prints the value", async () => {
    const json = events((await cli("run", fixture("throwObject.ts"), "--json")).stdout);
    expect(json[1]).toMatchObject({ event: "error", message: "Uncaught { code: 7 }", line: 4 });
    const human = await cli("run", fixture("throwObject.ts"));
    expect(human.code).toBe(1);
    expect(human.stderr).toMatch(/throwObject\.ts:4:1: error: Uncaught \{ code: 7 \}/);
  });

  it("a model that never calls backward(): the end says so and what to do", async () => {
    const json = events((await cli("run", fixture("noBackward.ts"), "--json")).stdout);
    expect(json).toEqual([{ event: "end", steps: 0, reason: "finished", detail: expect.stringMatching(/never called backward\(\): nothing to step\. Call loss\.backward\(\)/) }]);
    const human = await cli("run", fixture("noBackward.ts"));
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/noBackward\.ts never called backward\(\)/);
    expect(human.stdout).not.toMatch(/done: 0 steps/);
  });

  it("--export g.svg of a 130,001-node graph works (it overflowed the stack above ~120k)", async () => {
    const svg = path.join(dir, "big.svg");
    const r = await cli("run", fixture("bigChain.ts"), "--export", svg);
    expect(r.stderr).not.toMatch(/internal error|RangeError/);
    expect(r.code).toBe(0);
    const text = readFileSync(svg, "utf8");
    expect(text).toMatch(/^<\?xml [^>]*>\n<svg /);
    expect(text.endsWith("</svg>\n")).toBe(true);
  });

  it("console spam into a stdout nobody reads: the CLI keeps the newest lines and says how many it dropped", async () => {
    // stderr on a pipe is synchronous in Node (a writer blocks, as plain node would); stdout is not, so it is the one to bound.
    const lines = 200_000;
    const child = spawn(process.execPath, [CLI, "run", fixture("spam.ts")], { env: { ...process.env, SPAM_LINES: String(lines) }, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.pause();
    let stderr = "";
    // The model's last print goes to stderr (console.warn): once it is there, the model is done.
    await new Promise<void>((resolve) =>
      child.stderr.on("data", (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes("done\n")) resolve();
      }),
    );
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stdout.resume();
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(code).toBe(0);
    const out = stdout.trimEnd().split("\n");
    expect(out.at(-1)).toMatch(/never called backward\(\)/);
    expect(out.at(-2)).toBe(`line ${lines - 1}`);
    // The newest lines are all there, in order, and a note stands where older ones were dropped.
    const note = out.findIndex((l) => /^\[gradscope: [\d,]+ lines of the model's output dropped/.test(l));
    expect(note).toBeGreaterThanOrEqual(0);
    const kept = out.slice(note + 1, -1);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThanOrEqual(10_000);
    const first = Number(kept[0].slice(5));
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => `line ${first + i}`));
    const dropped = Number(/\[gradscope: ([\d,]+) lines/.exec(out[note])![1].replace(/,/g, ""));
    // Everything is accounted for: what was written before the reader fell behind, the dropped, the kept.
    expect(out.slice(0, note).filter((l) => l.startsWith("line ")).length + dropped + kept.length).toBe(lines);
  });
});

