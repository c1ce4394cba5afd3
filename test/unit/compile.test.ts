import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { compileModel } from "../../src/runner/compile/compile";
import { Edits, mapPosition } from "../../src/runner/compile/edits";
import { maskLiterals } from "../../src/runner/compile/mask";
import { transformModule } from "../../src/runner/compile/transform";
import { LossHistory } from "../../src/runner/history";

/** The module body as compiled (without the wrapper's first and last lines). */
function compiled(src: string, file = "/m.ts") {
  let loops = 0;
  const r = transformModule(file, src, 0, () => loops++);
  if (!r.ok) throw new Error(`${r.message} at ${r.line}:${r.column}`);
  const lines = r.module.code.split("\n");
  return { ...r.module, body: lines.slice(1, -1).join("\n") };
}
const code = (src: string) => compiled(src).body;

const dir = mkdtempSync(path.join(tmpdir(), "gradscope-compile-"));
let n = 0;
/** Writes files (relative path → text) into a fresh folder; returns the folder. */
function project(files: Record<string, string>): string {
  const root = path.join(dir, `p${++n}`);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
  return root;
}

describe("instrumentation", () => {
  it("labels const, let and reassignment from the variable name, but not literals", () => {
    const out = code(`const d = c.add(1);\nlet e = d.mul(2);\ne = e.tanh();\nthis.w = f(x);\nconst n = 3;\nconst s = "x";\n`);
    expect(out).toContain(`const d = __gs.name(c.add(1), "d", 0);`);
    expect(out).toContain(`let e = __gs.name(d.mul(2), "e", 1);`);
    expect(out).toContain(`e = __gs.name(e.tanh(), "e", 2);`);
    expect(out).toContain(`this.w = __gs.name(f(x), "w", 3);`);
    expect(out).toContain(`const n = 3;`);
    expect(out).toContain(`const s = "x";`);
  });

  it("keeps lines where they were, so errors point at the user's line", () => {
    const src = `const a: number = f();\nif (a) b();\ninterface P {\n  x: number;\n}\nfor (;;) {\n  g<P>();\n}\n`;
    expect(code(src).split("\n").length).toBe(src.split("\n").length);
  });

  it("keeps a single-statement body a single statement, and labels where they were", () => {
    const out = code(`if (x) y();\nouter: for (const i of xs) { continue outer; }\n`);
    expect(out).toContain(`if (x) { __gs.at(1); y(); }`);
    expect(out).toMatch(/^outer: for \(const i of xs\)/m);
  });

  it("groups named functions and arrow functions, but leaves async functions and generators alone", () => {
    const out = code(`function f(x) { return x; }\nconst g = (x) => x.relu();\nasync function h() { await 1; }\nfunction* k() { yield 1; }\n`);
    expect(out).toContain(`function f(x) { const __gsD = __gs.enter("f"); try {`);
    expect(out).toContain(`const g = (x) => { const __gsD = __gs.enter("g"); try { return (x.relu()); } finally { __gs.exit(__gsD); } };`);
    expect(out).not.toContain(`__gs.enter("h")`);
    expect(out).not.toContain(`__gs.enter("k")`);
  });

  it("keeps a function's \"use strict\" first, before the group wrapper", () => {
    const out = code(`function f(x) {\n  "use strict";\n  return x.relu();\n}\n`);
    expect(out).toMatch(/^function f\(x\) \{\n {2}"use strict"; const __gsD = __gs\.enter\("f"\); try \{/);
  });

  it("records each statement's 1-based line and column", () => {
    expect(compiled(`const a = f();\n  const b = f();\n`).locations).toEqual([
      { file: "/m.ts", line: 1, column: 1 },
      { file: "/m.ts", line: 2, column: 3 },
    ]);
  });

  it("groups each iteration of a loop whose body repeats calls (layers), not a loop of plain calls or a training loop", () => {
    const out = code(`function mlp(x) {
  let h = x;
  for (const layer of params) h = layer.map((n) => neuron(n, h));
  for (let i = 0; i < 3; i++) h = h.add(1);
  return h;
}
for (let step = 0; step < 3; step++) { const s = X.map((x) => mlp(x)); s[0].backward(); }
`);
    expect(out).toContain(`for (const layer of params) { const __gsL = __gs.iter("layer", 0); try { { __gs.at(`);
    expect(out).not.toContain(`__gs.iter("i"`);
    expect(out).not.toContain(`__gs.iter("step"`);
  });

  it("compiles a chain of 2,000 calls and an 8,000-term sum (no recursion in the compiler)", () => {
    const chain = code(`const x = f();\nconst y = x${".add(1)".repeat(2000)};\n`);
    expect(chain).toContain(`const y = __gs.name(x.add(1)`);
    const sum = code(`const a = 1;\nconst s = ${Array.from({ length: 8000 }, () => "a").join(" + ")};\n`);
    expect(sum.length).toBeGreaterThan(8000 * 4);
  });
});

describe("types and modules", () => {
  it("blanks types in place and leaves JavaScript that runs", () => {
    const out = code(`interface P { x: number }
type Q = P | null;
function f<T extends P>(p: T, q?: Q): number { return p.x as number; }
const a = <number>f({ x: 1 }!, null) satisfies number;
class C<T> implements P { x!: number; private readonly y: T[] = []; constructor(public z: number, y?: T) { } abstract?: number; }
declare const g: number;
let h: Array<number> = [1];
`);
    expect(out).not.toMatch(/interface|satisfies|implements|declare|private|readonly|<T|: number|as number/);
    expect(out).toContain("this.z = z;");
    // eslint-disable-next-line no-new-func
    expect(() => new Function(out.replace(/__gs\.\w+\(/g, "((...a) => a[0])("))).not.toThrow(SyntaxError);
  });

  it("rewrites imports to live namespace reads, leaving locals of the same name alone", () => {
    const out = code(`import { Value, mse } from "gradscope";
import * as lib from "./lib";
import type { T } from "./types";
import def, { other as renamed } from "./def";
const v = new Value(1);
const l = mse([v], [0]);
function shadow(Value: number) { return Value + 1; }
const o = { Value, x: lib.k };
export const w = renamed;
`);
    expect(out).toContain(`new __gsI0.Value(1)`);
    expect(out).toContain(`(0, __gsI0.mse)([v], [0])`);
    expect(out).toContain(`return Value + 1;`);
    expect(out).toContain(`{ Value: __gsI0.Value, x: __gsI1.k }`);
    expect(out).toContain(`__gsI2.other`);
    expect(out).not.toContain("import");
  });

  it("drops an import whose bindings are only types (TypeScript does too)", () => {
    const m = compiled(`import { T } from "./types";\nimport "./side";\nconst x: T = 1;\n`);
    expect(m.shape.imports).toEqual([null, "./side"]);
  });

  it("reports a syntax error with the user's text, line and column", async () => {
    const root = project({ "model.ts": `import { Value } from "gradscope";\nconst a = new Value(2);\nconst b = a.mul(;\n` });
    const r = await compileModel(path.join(root, "model.ts"));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ kind: "compile", file: path.join(root, "model.ts"), line: 3, column: 17 });
    // TypeScript's own words about the user's own text.
    if (!r.ok) expect(r.error.message).toMatch(/expected/);
  });

  it("reports a syntax error in an imported file at that file's line", async () => {
    const root = project({ "model.ts": `import { h } from "./lib/helper";\nh();\n`, "lib/helper.ts": `export function h() {\n  return 1 +;\n}\n` });
    const r = await compileModel(path.join(root, "model.ts"));
    expect(!r.ok && r.error).toMatchObject({ file: path.join(root, "lib/helper.ts"), line: 2 });
  });

  it("resolves ./x.js to x.ts, extensionless paths, index files and JSON", async () => {
    const root = project({
      "model.ts": `import { a } from "./a.js";\nimport { b } from "./b";\nimport { c } from "./c";\nimport d from "./d.json";\nconsole.log(a, b, c, d);\n`,
      "a.ts": "export const a = 1;\n",
      "b.mjs": "export const b = 2;\n",
      "c/index.ts": "export const c = 3;\n",
      "d.json": `{ "d": 4 }`,
    });
    const r = await compileModel(path.join(root, "model.ts"));
    expect(r.ok && r.model.modules.map((m) => path.relative(root, m.file))).toEqual(["model.ts", "a.ts", "b.mjs", path.join("c", "index.ts"), "d.json"]);
  });

  it("names TypeScript syntax it cannot run (enum) at its line, instead of failing later", () => {
    const r = transformModule("/m.ts", `const a = 1;\nenum Act { Relu, Tanh }\n`, 0, () => 0);
    expect(r).toMatchObject({ ok: false, line: 2, column: 1 });
    expect(!r.ok && r.message).toMatch(/enum/);
  });

  it("says which import it cannot find, where", async () => {
    const root = project({ "model.ts": `const x = 1;\nimport { a } from "./missing";\nconsole.log(a);\n` });
    const r = await compileModel(path.join(root, "model.ts"));
    expect(!r.ok && r.error).toMatchObject({ message: "Cannot find module './missing'", line: 2, column: 19 });
  });

  it("compiles a 2.7 MB data module without instrumenting it, as written, with no column map", async () => {
    const row = `  [${Array.from({ length: 8 }, (_, i) => (i % 2 ? -0.123456789012345 : 0.987654321098765).toFixed(15)).join(", ")}],\n`;
    const data = `export const X: number[][] = [\n${row.repeat(Math.ceil(2.7e6 / row.length))}];\n`;
    const root = project({ "data.ts": data, "model.ts": `import { X } from "./data";\nimport { Value } from "gradscope";\nconst v = new Value(X.length);\n` });
    const r = await compileModel(path.join(root, "model.ts"));
    if (!r.ok) throw new Error(r.error.message);
    const dataModule = r.model.modules[1];
    expect(dataModule.instrumented).toBe(false);
    expect(dataModule.code).not.toContain("__gs.");
    expect(dataModule.code.length).toBeLessThan(data.length + 400);
    expect(Object.keys(dataModule.map)).toEqual([]);
    expect(r.model.modules[0].instrumented).toBe(true);
  });
});

describe("compiler parts", () => {
  it("masks only large numeric array literals, keeping every other position", () => {
    const big = `[${"1.5, ".repeat(600)}2]`;
    const text = `const a = ${big};\nconst b = x[${"1, ".repeat(700)}1];\nconst c = [1, 2];\n`;
    const masked = maskLiterals(text);
    expect(masked.length).toBe(text.length);
    expect(masked.startsWith("const a = [] ")).toBe(true);
    expect(masked).toContain("x[1, 1, ");
    expect(masked.endsWith("const c = [1, 2];\n")).toBe(true);
  });

  it("maps columns moved by inserted text back to the source", () => {
    const e = new Edits("ab cd\nef");
    e.open(3, "XYZ", 0);
    const { text, map } = e.apply();
    expect(text).toBe("ab XYZcd\nef");
    expect(mapPosition(map, 0, 7)).toEqual({ line: 0, column: 4 }); // "d"
    expect(mapPosition(map, 0, 4)).toEqual({ line: 0, column: 3 }); // inside "XYZ": its insertion point
    expect(mapPosition(map, 1, 1)).toEqual({ line: 1, column: 1 });
  });
});

describe("LossHistory", () => {
  it("keeps every loss while it fits, then merges pairs: bounded memory for 10^6 steps", () => {
    const h = new LossHistory(1000);
    h.append(Float64Array.from({ length: 1000 }, (_, i) => i));
    expect(h.curve().stride).toBe(1);
    expect(h.curve().losses.length).toBe(1000);
    for (let i = 0; i < 1000; i++) h.append(Float64Array.from({ length: 1000 }, () => 5));
    const { stride, losses } = h.curve();
    expect(h.steps).toBe(1_001_000);
    expect(losses.length).toBeLessThanOrEqual(1000);
    expect(stride * losses.length).toBeGreaterThanOrEqual(1_000_000);
    expect(h.last()).toBe(5);
    // The first point is the mean of the steps it covers: 0..999, then fives.
    expect(losses[0]).toBeCloseTo((499_500 + (stride - 1000) * 5) / stride, 9);
  });
});
