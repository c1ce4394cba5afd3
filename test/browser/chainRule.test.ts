import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { NodeKind, OP } from "../../src/protocol/ops";
import { send, sendSnapshot, startHarness, type Harness } from "./harness";
import { TapeBuilder } from "./syntheticGraphs";

/** The details pane (same content as the hover card) for graphs with shared values, constants first, and optimizer updates. */
let h: Harness;
let page: Page;
beforeAll(async () => { h = await startHarness(); page = await h.open(); });
afterAll(async () => { await h?.close(); });

async function detailsOf(label: string): Promise<string> {
  await page.evaluate((l) => {
    const row = [...document.querySelectorAll<HTMLElement>("#node-table tbody tr")].find((tr) => tr.querySelector("td")?.textContent === l);
    row!.querySelector("td")!.click();
  }, label);
  await page.waitForFunction((l) => document.querySelector("#details .title b")?.textContent === l, label);
  return (await page.textContent("#details")) ?? "";
}

describe("chain rule in the details", () => {
  it("sums over every consumer when a value is used twice", async () => {
    const t = new TapeBuilder();
    const x = t.leaf(2, "x");
    const p = t.apply(OP.mul, x, { k: 3 }, "p"); // 6
    const q = t.apply(OP.add, x, { k: 1 }, "q"); // 3
    t.apply(OP.mul, p, q, "loss"); // 18; dloss/dx = q·3 + p·1 = 15
    await sendSnapshot(page, t.snapshot("shared-x"));
    await page.waitForFunction(() => document.querySelectorAll("#node-table tbody tr").length === 4);
    expect(await detailsOf("x")).toContain("∂loss/∂x = ∂loss/∂p · ∂p/∂x + ∂loss/∂q · ∂q/∂x = 3 × 3 + 6 × 1 = 15");
  });

  it("counts a value used twice by the same op (x * x) once with both slots", async () => {
    const t = new TapeBuilder();
    const x = t.leaf(3, "x");
    t.apply(OP.mul, x, x, "loss"); // dloss/dx = 2x = 6
    await sendSnapshot(page, t.snapshot("square"));
    await page.waitForFunction(() => document.querySelectorAll("#node-table tbody tr").length === 2);
    expect(await detailsOf("x")).toContain("∂loss/∂x = ∂loss/∂loss · ∂loss/∂x = 1 × 6 = 6");
  });

  it("uses the right sign for a constant first (2 − x) and the unary rules", async () => {
    const t = new TapeBuilder();
    const x = t.leaf(0.5, "x");
    const y = t.apply(OP.sub, { k: 2 }, x, "y"); // 1.5, dy/dx = −1
    const z = t.apply(OP.tanh, y, undefined, "z"); // dz/dy = 1 − tanh²
    t.apply(OP.exp, z, undefined, "loss");
    await sendSnapshot(page, t.snapshot("unary"));
    await page.waitForFunction(() => document.querySelectorAll("#node-table tbody tr").length === 4);
    expect(await page.textContent("#node-table tbody tr:nth-child(2) td:nth-child(2)")).toBe("sub 2 −");
    expect(await detailsOf("x")).toMatch(/∂loss\/∂x = ∂loss\/∂y · ∂y\/∂x = [\d.]+ × −1 = −[\d.]+/);
    const dz = 1 - Math.tanh(1.5) ** 2;
    expect(await detailsOf("y")).toContain(`× ${Number(dz.toPrecision(4))} =`);
  });

  it("shows a parameter's last optimizer update as arithmetic", async () => {
    const t = new TapeBuilder();
    const w = t.leaf(0.489, "w", NodeKind.param);
    t.apply(OP.mul, w, { k: 2 }, "loss");
    const s = t.snapshot("param", 2, [{ node: 0, label: "w", rule: "sgd", before: 0.52, lr: 0.01, grad: 3.1, after: 0.489 }]);
    await sendSnapshot(page, s);
    await page.waitForFunction(() => document.querySelectorAll("#node-table tbody tr").length === 2);
    const text = await detailsOf("w");
    expect(text).toContain("w: 0.52 − 0.01 × 3.1 = 0.489");
    expect(text).toContain("parameter");
  });

  it("warns when the recorded grad is not what this step's chain rule gives (grads not zeroed)", async () => {
    const t = new TapeBuilder();
    const a = t.leaf(2, "a");
    t.apply(OP.mul, a, { k: 5 }, "loss");
    const s = t.snapshot("accumulated");
    s.values.grad[0] = 10; // two backward() calls without zeroGrad: 5 + 5
    await sendSnapshot(page, s);
    await page.waitForFunction(() => document.querySelectorAll("#node-table tbody tr").length === 2);
    expect(await detailsOf("a")).toContain("recorded grad 10 ≠ 5");
  });

  it("toggles the loss chart's log scale with L", async () => {
    await send(page, { type: "loss/set", from: 1, losses: new Float64Array([100, 10, 1, 0.1]) });
    await page.focus("#graph");
    await page.keyboard.press("l");
    expect(await page.isChecked("#loss-log")).toBe(true);
    expect(await page.evaluate(() => (window as any).harness.state.logScale)).toBe(true);
    await page.keyboard.press("l");
    expect(await page.isChecked("#loss-log")).toBe(false);
  });
});
