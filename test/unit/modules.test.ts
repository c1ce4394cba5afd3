import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { ModelSession } from "../../src/runner/session";
import type { RunOptions, SessionEvent } from "../../src/runner/types";

// Models run for real: compiled, loaded by the module loader in the real worker bundle (`npm run build` first).
const WORKER = path.resolve("dist/worker.js");
const dir = mkdtempSync(path.join(tmpdir(), "gradscope-modules-"));
let n = 0;

/** Writes a model's files (relative path → text) into a fresh folder; returns the entry's path. */
function project(files: Record<string, string>, entry = "model.ts"): string {
  const root = path.join(dir, `p${++n}`);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
  return path.join(root, entry);
}

async function run(opts: RunOptions) {
  const session = new ModelSession(opts, WORKER);
  const events: SessionEvent[] = [];
  const end = new Promise<Extract<SessionEvent, { type: "end" }>>((resolve) =>
    session.onEvent((e) => {
      events.push(e);
      if (e.type === "end") resolve(e);
    }),
  );
  await session.start();
  const last = await end;
  session.dispose();
  const graphs = events.filter((e): e is Extract<SessionEvent, { type: "graph" }> => e.type === "graph").map((e) => e.snapshot);
  // A console event carries whole lines, possibly several (output is batched): one entry per line here.
  return { end: last, graphs, console: events.filter((e) => e.type === "console").flatMap((e) => (e as { text: string }).text.split("\n")) };
}

describe("running compiled modules", () => {
  it("runs a chain of 2,000 .add(1) calls and an 8,000-term sum", async () => {
    const r = await run({
      file: project({
        "model.ts": `import { Value } from "gradscope";
const a = 1;
const s = ${Array.from({ length: 8000 }, () => "a").join(" + ")};
const x = new Value(0);
const y = x${".add(1)".repeat(2000)};
console.log(s, y.data);
y.backward();
`,
      }),
    });
    expect(r.end.reason).toBe("finished");
    expect(r.console).toEqual(["8000 2000"]);
    expect(r.graphs[0].topology.label).toContain("y");
  });

  it("runs every module strict: assigning an undeclared variable throws at the user's line", async () => {
    const r = await run({ file: project({ "model.ts": `const xs = [1, 2];\nlet total = 0;\nfor (i = 0; i < xs.length; i++) total += xs[i];\n` }) });
    expect(r.end.reason).toBe("error");
    // V8 points at the `=`, as plain Node does for the same file.
    expect(r.end.error).toMatchObject({ message: "ReferenceError: i is not defined", line: 3, column: 8 });
  });

  it("awaits at top level in the entry and in an imported module, dependencies first", async () => {
    const r = await run({
      file: project({
        "model.ts": `import { Value } from "gradscope";
import { rows } from "./lib/data";
console.log("entry starts");
const scale = await Promise.resolve(2);
const w = new Value(scale);
const loss = w.mul(rows.length);
loss.backward();
console.log("loss", loss.data);
`,
        "lib/data.ts": `import { readFile } from "node:fs/promises";
console.log("data starts");
export const rows: string[] = (await readFile(new URL("./rows.csv", import.meta.url), "utf8")).trim().split("\\n");
console.log("data read", rows.length);
`,
        "lib/rows.csv": "1,2\n3,4\n5,6\n",
      }),
    });
    expect(r.end.reason).toBe("finished");
    expect(r.console).toEqual(["data starts", "data read 3", "entry starts", "loss 6"]);
  });

  it("gives each file its own __dirname, __filename and import.meta.url", async () => {
    const file = project({
      "model.ts": `import { where } from "./lib/where";\nconsole.log(JSON.stringify({ ...where(), entry: __dirname, url: import.meta.url }));\n`,
      "lib/where.ts": `export function where() { return { dir: __dirname, file: __filename, meta: import.meta.url, metaDir: import.meta.dirname }; }\n`,
    });
    const r = await run({ file });
    const root = path.dirname(file);
    expect(JSON.parse(r.console[0])).toEqual({
      dir: path.join(root, "lib"),
      file: path.join(root, "lib", "where.ts"),
      meta: pathToFileURL(path.join(root, "lib", "where.ts")).href,
      metaDir: path.join(root, "lib"),
      entry: root,
      url: pathToFileURL(file).href,
    });
  });

  it("reports a throw in an imported helper at the helper's line and column", async () => {
    const file = project({
      "model.ts": `import { check } from "./lib/check";\nconst v: number = 3;\ncheck(v);\n`,
      "lib/check.ts": `// validates inputs\nexport function check(x: number): number {\n  if (x > 1) throw new RangeError(\`too big: \${x}\`);\n  return x;\n}\n`,
    });
    const r = await run({ file });
    const helper = path.join(path.dirname(file), "lib", "check.ts");
    expect(r.end.error).toMatchObject({ kind: "runtime", message: "RangeError: too big: 3", file: helper, line: 3, column: 20 });
    expect(r.end.error!.stack).toContain(`${file}:3:`);
  });

  it("keeps imports live, lets a module declare its own `require`, and loads packages from the model's folder", async () => {
    const r = await run({
      file: project({
        "model.ts": `import { count, bump } from "./counter";
import { createRequire } from "node:module";
import greet from "local-pkg";
const require = createRequire(import.meta.url);
bump();
bump();
console.log(count, greet("x"), require("local-pkg")("y"));
`,
        "counter.ts": "export let count = 0;\nexport function bump() { count++; }\n",
        "node_modules/local-pkg/package.json": `{ "name": "local-pkg", "main": "index.js" }`,
        "node_modules/local-pkg/index.js": "module.exports = (s) => `hello ${s}`;\n",
      }),
    });
    expect(r.end.reason).toBe("finished");
    expect(r.console).toEqual(["2 hello x hello y"]);
  });

  it("runs with the model's folder as working directory: relative reads work (the runner process sets cwd)", async () => {
    // The CLI from the model's folder, as the runner process will run every model.
    const file = project({
      "model.ts": `import { readFileSync } from "node:fs";\nimport { Value } from "gradscope";\nconst rows = readFileSync("./data.csv", "utf8").trim().split("\\n");\nconst w = new Value(rows.length);\nw.mul(w).backward();\n`,
      "data.csv": "1\n2\n3\n",
    });
    const { stdout } = await promisify(execFile)(process.execPath, [path.resolve("dist/cli.js"), "run", path.basename(file), "--json"], { cwd: path.dirname(file) });
    const events = stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(events[0]).toMatchObject({ event: "step", loss: 9 });
    expect(events.at(-1)).toMatchObject({ event: "end", reason: "finished" });
  });
});

describe("groups of a hand-written MLP (issue 7)", () => {
  it("groups each call: mlp#k/layer#j/neuron#i, the same paths every step", async () => {
    const r = await run({ file: path.resolve("test/fixtures/handwritten-mlp/model.ts"), throttleMs: 0, maxSteps: 2 });
    expect(r.graphs.map((g) => g.step)).toEqual([1, 2]);
    const paths = (s: (typeof r.graphs)[number]) => new Set(Array.from(s.topology.group, (g) => (g < 0 ? "" : s.topology.groups[g])));
    const first = paths(r.graphs[0]);
    expect(first).toContain("mlp#1/layer#1/neuron#1");
    expect(first).toContain("mlp#20/layer#2/neuron#16");
    expect(first).toContain("mlp#3/layer#3/neuron#1");
    expect(first).not.toContain("mlp#21/layer#1/neuron#1");
    expect(first).not.toContain("neuron");
    // Parameters keep the group of the call that made them.
    expect(first).toContain("makeLayer#2");
    // 20 samples × 33 neurons, plus the 3 layer-building calls and the top level.
    const neurons = [...first].filter((p) => /\/neuron#\d+$/.test(p));
    expect(neurons.length).toBe(20 * 33);
    expect(paths(r.graphs[1])).toEqual(first);
    expect(r.graphs[1].topology.groups).toEqual(r.graphs[0].topology.groups);
  });

  it("keeps labels and statement locations", async () => {
    const r = await run({ file: project({ "model.ts": `import { Value } from "gradscope";\nconst a = new Value(2);\nconst b = new Value(3);\nconst c = a.mul(b);\nconst d = c.add(1);\nconst loss = d.pow(2);\nloss.backward();\n` }) });
    const t = r.graphs[0].topology;
    expect(t.label).toEqual(["a", "b", "c", "d", "loss"]);
    expect(Array.from(t.loc, (l) => t.locations[l].line)).toEqual([2, 3, 4, 5, 6]);
    expect(r.graphs[0].values.grad[0]).toBe(42);
  });
});
