import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { snapshotFromJSON } from "../../src/protocol/graph";
import { posted, requestExport, send, sendSnapshot, startHarness, type Harness } from "./harness";
import { fixture } from "./fixtures";

let h: Harness;
let page: Page;
beforeAll(async () => {
  h = await startHarness();
  page = await h.open();
  await sendSnapshot(page, fixture("coffee-shop"));
  await send(page, { type: "loss/set", from: 1, losses: new Float64Array([4, 2.5]) });
  await page.waitForFunction(() => document.querySelectorAll("#node-table tbody tr").length === 32);
});
afterAll(async () => { await h?.close(); });

async function exportOf(format: string, via: "request" | "menu" = "request") {
  if (via === "request") return requestExport(page, format);
  const n = (await posted(page)).length;
  await page.selectOption("#export-format", format);
  await page.waitForFunction((k) => (window as any).harness.posted.slice(k).some((m: any) => m.type === "export/save"), n);
  return (await posted(page)).slice(n).find((m) => m.type === "export/save");
}

describe("exports (answered as export/save)", () => {
  it("SVG is well-formed XML with every visible node and its numbers", async () => {
    const saved = await exportOf("svg");
    expect(saved.suggestedName).toMatch(/\.svg$/);
    const check = await page.evaluate((svg) => {
      const doc = new DOMParser().parseFromString(svg, "image/svg+xml");
      return { error: doc.querySelector("parsererror")?.textContent ?? null, root: doc.documentElement.nodeName, groups: doc.querySelectorAll("g").length, text: doc.documentElement.textContent };
    }, saved.data);
    expect(check.error).toBeNull();
    expect(check.root).toBe("svg");
    const cyNodes = await page.evaluate(() => (window as any).gradscope.cy.nodes().length);
    expect(check.groups).toBe(cyNodes);
    expect(check.text).toContain("loss");
  });

  it("JSON round-trips through snapshotFromJSON to the same snapshot", async () => {
    const saved = await exportOf("json");
    const original = snapshotFromJSON(fixture("coffee-shop"));
    const back = snapshotFromJSON(JSON.parse(saved.data));
    expect(back.topology.hash).toBe(original.topology.hash);
    expect(Array.from(back.topology.op)).toEqual(Array.from(original.topology.op));
    expect(Array.from(back.topology.in0)).toEqual(Array.from(original.topology.in0));
    expect(back.topology.label).toEqual(original.topology.label);
    expect(Array.from(back.values.grad)).toEqual(Array.from(original.values.grad));
    expect(back.step).toBe(original.step);
  });

  it("PNG is a base64 PNG data URL (from the toolbar menu)", async () => {
    const saved = await exportOf("png", "menu");
    expect(saved.data).toMatch(/^data:image\/png;base64,/);
    const bytes = Buffer.from(saved.data.split(",")[1], "base64");
    expect(bytes.subarray(1, 4).toString("latin1")).toBe("PNG");
    expect(bytes.length).toBeGreaterThan(1000);
  });

  it("CSV has a header and one line per step", async () => {
    const saved = await exportOf("csv");
    expect(saved.data).toBe("step,loss\n1,4\n2,2.5\n");
  });

  it("every posted message is a valid ViewMessage", async () => {
    const { parseViewMessage } = await import("../../src/protocol/panel");
    for (const m of await posted(page)) expect(parseViewMessage(m).ok).toBe(true);
  });
});
