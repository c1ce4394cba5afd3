import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { nodeScreenPosition, pageErrors, posted, sendSnapshot, startHarness, tableRows, type Harness } from "./harness";
import { seedSnapshot } from "./syntheticGraphs";

let h: Harness;
let page: Page;
beforeAll(async () => {
  h = await startHarness();
  page = await h.open();
  await sendSnapshot(page, seedSnapshot());
  await page.waitForFunction(() => document.querySelectorAll("#node-table tbody tr").length === 5);
});
afterAll(async () => { await h?.close(); });

async function hoverText(label: string): Promise<string> {
  const id = await page.evaluate((l) => (window as any).gradscope.cy.nodes(".value").filter((n: any) => n.data("label").startsWith(l + "\n")).id(), label);
  const p = await nodeScreenPosition(page, id);
  await page.mouse.move(p.x, p.y);
  await page.waitForSelector("#tooltip:not([hidden])");
  return (await page.textContent("#tooltip")) ?? "";
}

describe("seed example (a=2, b=3, c=a*b, d=c+1, loss=d**2)", () => {
  it("lists the five value nodes in the accessible table with their numbers", async () => {
    const rows = await tableRows(page);
    expect(rows.map((r) => r.label)).toEqual(["a", "b", "c", "d", "loss"]);
    expect(rows.map((r) => r.grad)).toEqual(["42", "28", "14", "14", "1"]);
    expect(rows.find((r) => r.label === "loss")?.data).toBe("49");
    expect(rows.find((r) => r.label === "d")?.op).toBe("add + 1");
    expect(rows.find((r) => r.label === "loss")?.op).toBe("pow ^2");
  });

  it("draws 5 records, 3 op circles and 4 + 3 edges (constants are folded into the op)", async () => {
    const counts = await page.evaluate(() => {
      const cy = (window as any).gradscope.cy;
      return { values: cy.nodes(".value").length, ops: cy.nodes(".op").length, edges: cy.edges().length, opLabels: cy.nodes(".op").map((n: any) => n.data("label")) };
    });
    expect(counts).toEqual({ values: 5, ops: 3, edges: 7, opLabels: ["×", "+ 1", "^2"] });
  });

  it("colours every edge by the gradient flowing back along it", async () => {
    const edges = await page.evaluate(() => (window as any).gradscope.cy.edges().map((e: any) => ({ id: e.id(), from: e.data("flowFrom"), to: e.data("flowTo"), stroke: e.data("stroke") })));
    expect(edges).toHaveLength(7);
    // a → × carries ∂loss/∂c · ∂c/∂a = 42, the largest flow: the strongest red, like a's record.
    const strongest = edges.find((e: any) => e.id === "n0>o2");
    expect(strongest).toMatchObject({ from: 0, to: 2 });
    // b → × carries 28: same top bucket; ^2 → loss carries 1: 1.6 decades weaker, a paler line.
    expect(edges.find((e: any) => e.id === "n1>o2").stroke).toBe(strongest.stroke);
    expect(edges.find((e: any) => e.id === "o4>n4").stroke).not.toBe(strongest.stroke);
  });

  it("lays out left to right: inputs, then c, d, loss", async () => {
    const xs = await page.evaluate(() => {
      const cy = (window as any).gradscope.cy;
      return ["n0", "n1", "n2", "n3", "n4"].map((id) => cy.getElementById(id).position().x);
    });
    expect(xs[0]).toBe(xs[1]);
    expect(xs[2]).toBeGreaterThan(xs[0]);
    expect(xs[3]).toBeGreaterThan(xs[2]);
    expect(xs[4]).toBeGreaterThan(xs[3]);
  });

  it("hovering a shows its grad 42 and the chain rule with real numbers", async () => {
    const text = await hoverText("a");
    expect(text).toContain("grad42");
    expect(text).toContain("∂loss/∂a = ∂loss/∂c · ∂c/∂a = 14 × 3 = 42");
    expect(text).toContain("chain-rule.ts:2");
  });

  it("hovering b shows grad 28 = 14 × 2", async () => {
    const text = await hoverText("b");
    expect(text).toContain("grad28");
    expect(text).toContain("∂loss/∂b = ∂loss/∂c · ∂c/∂b = 14 × 2 = 28");
  });

  it("hover highlights the node's path to the loss and dims the rest", async () => {
    await hoverText("a");
    const cls = await page.evaluate(() => {
      const cy = (window as any).gradscope.cy;
      return { a: cy.$("#n0").hasClass("path"), loss: cy.$("#n4").hasClass("path"), b: cy.$("#n1").hasClass("dim") };
    });
    expect(cls).toEqual({ a: true, loss: true, b: true });
  });

  it("clicking a node asks the host to reveal its source and pins its details", async () => {
    const p = await nodeScreenPosition(page, "n3");
    await page.mouse.click(p.x, p.y);
    await page.waitForFunction(() => (window as any).harness.posted.some((m: any) => m.type === "node/reveal"));
    expect((await posted(page)).filter((m) => m.type === "node/reveal").at(-1)).toEqual({ type: "node/reveal", node: 3 });
    expect(await page.textContent("#details")).toContain("∂loss/∂d = ∂loss/∂loss · ∂loss/∂d = 1 × 14 = 14");
  });

  it("moves between nodes with the keyboard and reveals with Enter, which hands focus to the editor", async () => {
    await page.mouse.move(5, 5);
    await page.focus("#graph");
    await page.keyboard.press("ArrowLeft"); // d → its input c
    expect(await page.textContent("#details .title")).toContain("c");
    await page.keyboard.press("ArrowLeft"); // c → a
    expect(await page.textContent("#details .title")).toContain("a");
    await page.keyboard.press("ArrowDown"); // a → b, same column
    expect(await page.textContent("#details .title")).toContain("b");
    await page.keyboard.press("Enter");
    expect((await posted(page)).at(-1)).toEqual({ type: "node/reveal", node: 1, focusEditor: true });
  });

  it("loads with the strict CSP and no page errors", async () => {
    expect(pageErrors(page)).toEqual([]);
  });
});
