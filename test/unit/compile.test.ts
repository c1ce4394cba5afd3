import { describe, expect, it } from "vitest";
import type { SourceLocation } from "../../src/protocol/graph";
import { instrument } from "../../src/runner/compile/instrument";
import { LossHistory } from "../../src/runner/history";

const code = (src: string) => instrument(src, "/m.ts", [] as SourceLocation[]).split("\n//# sourceMappingURL=")[0];

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
    const src = `const a = f();\nif (a) b();\nfor (;;) {\n  g();\n}\n`;
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

  it("records each statement's 1-based line and column", () => {
    const locs: SourceLocation[] = [];
    instrument(`const a = 1;\n  const b = f();\n`, "/m.ts", locs);
    expect(locs).toEqual([{ file: "/m.ts", line: 1, column: 1 }, { file: "/m.ts", line: 2, column: 3 }]);
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
