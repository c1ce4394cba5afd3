import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { snapshotFromJSON, snapshotJsonText } from "../../src/graph/snapshotJson";
import { nodesCsv } from "../../src/graph/csv";
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

async function exportOf(format: string, via: "request" | "menu" = "request", csv?: "loss" | "nodes") {
  if (via === "request") return requestExport(page, format, csv);
  const n = (await posted(page)).length;
  await page.selectOption("#export-format", csv ? `csv-${csv}` : format);
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
    const records = await page.evaluate(() => (window as any).gradscope.cy.nodes(".value").length);
    expect(check.groups).toBe(records + 30);
    expect(check.text).toContain("loss");
    // The shared formatter: one minus sign (U+2212) everywhere, as in the panel's records.
    expect(check.text).toContain("−146.7");
    expect(check.text).not.toMatch(/-\d/);
  });

  it("SVG comes from the shared, DOM-free exporter: what the panel shows, with draw_dot's full records and the theme's colours", async () => {
    const saved = await exportOf("svg");
    // Every unit on screen, plus an op circle per op (a file has room for the richest records).
    const ids = await page.evaluate(() => (window as any).gradscope.cy.nodes(".value").map((n: any) => n.id()));
    const svgIds = [...saved.data.matchAll(/<g id="([^"]+)"/g)].map((m: RegExpMatchArray) => m[1]);
    expect(svgIds.filter((id: string) => id.startsWith("n")).sort()).toEqual(ids.sort());
    expect(svgIds.filter((id: string) => id.startsWith("o"))).toHaveLength(30);
    expect(saved.data).toContain(">grad −146.7<");
    expect(saved.data).toContain('class="value loss"');
    // Theme colours, resolved from VS Code's variables (the harness's dark theme background).
    expect(saved.data).toContain('fill="rgb(31,31,31)"');
  });

  it("JSON is the one snapshot format, byte for byte what the CLI and the editor write, and round-trips", async () => {
    const saved = await exportOf("json");
    expect(saved.data).toBe(snapshotJsonText(snapshotFromJSON(fixture("coffee-shop"))));
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

  it("CSV of the loss curve says so in its name: a header and one line per step", async () => {
    const saved = await exportOf("csv", "menu", "loss");
    expect(saved).toMatchObject({ format: "csv", csv: "loss", suggestedName: "gradscope-loss-curve.csv" });
    expect(saved.data).toBe("step,loss\n1,4\n2,2.5\n");
    // A host that does not say which CSV gets the loss curve (today's behaviour).
    expect((await exportOf("csv")).data).toBe("step,loss\n1,4\n2,2.5\n");
  });

  it("CSV of the graph has one row per node, and says so in its name", async () => {
    const saved = await exportOf("csv", "request", "nodes");
    expect(saved).toMatchObject({ format: "csv", csv: "nodes", suggestedName: "gradscope-nodes-step1.csv" });
    const lines = saved.data.trim().split("\n");
    expect(lines[0]).toBe("node,name,op,kind,data,grad,input0,input1,group,file,line");
    expect(lines).toHaveLength(1 + 32);
    expect(lines[32]).toMatch(/^31,loss,div ÷ 6,value,6075,1,30,,,/);
    expect(saved.data).toBe(nodesCsv(snapshotFromJSON(fixture("coffee-shop"))));
    // Both are offered in the toolbar's Export menu.
    expect(await page.$$eval("#export-format option", (os) => os.map((o) => o.textContent))).toEqual(expect.arrayContaining(["Loss curve as CSV (one row per step)", "Nodes as CSV (one row per node)"]));
  });

  it("every posted message is a valid ViewMessage", async () => {
    const { parseViewMessage } = await import("../../src/protocol/panel");
    for (const m of await posted(page)) expect(parseViewMessage(m).ok).toBe(true);
  });
});
