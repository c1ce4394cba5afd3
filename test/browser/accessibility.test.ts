import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { nodeScreenPosition, posted, send, sendSnapshot, startHarness, type Harness } from "./harness";
import { fixture, fixtureSteps } from "./fixtures";

/**
 * Issue 7, "the details that make it feel finished" (panel side): a click
 * keeps keyboard focus in the panel and only Enter hands it to the editor;
 * screen readers hear step and loss politely at most about once a second and
 * nothing else on every step; search is a combobox.
 */

let h: Harness;
beforeAll(async () => { h = await startHarness(); });
afterAll(async () => { await h?.close(); });

async function seed(): Promise<Page> {
  const page = await h.open({ width: 1000, height: 700 });
  await send(page, { type: "session/state", state: "paused", step: 1 });
  await sendSnapshot(page, fixture("chain-rule"));
  await page.waitForFunction(() => document.querySelectorAll("#node-table tbody tr").length === 5);
  return page;
}

describe("focus", () => {
  it("a click on a node reveals its source without taking focus from the panel; Enter moves it to the editor", async () => {
    const page = await seed();
    const p = await nodeScreenPosition(page, "n2");
    await page.mouse.click(p.x, p.y);
    await page.waitForFunction(() => (window as any).harness.posted.some((m: any) => m.type === "node/reveal"));
    expect((await posted(page)).filter((m) => m.type === "node/reveal")).toEqual([{ type: "node/reveal", node: 2 }]);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("graph");
    // The panel's one-key shortcuts still reach the panel after the click.
    await page.keyboard.press("s");
    expect((await posted(page)).filter((m) => m.type === "control/step")).toHaveLength(1);
    await page.keyboard.press("Enter");
    expect((await posted(page)).filter((m) => m.type === "node/reveal").at(-1)).toEqual({ type: "node/reveal", node: 2, focusEditor: true });
    await page.close();
  });
});

describe("screen readers", () => {
  it("hear step and loss at most about once a second during a fast run, ending with the latest; nothing else in the panel is live", async () => {
    const page = await h.open({ width: 1000, height: 700 });
    const steps = fixtureSteps("coffee-shop");
    await sendSnapshot(page, steps[0]);
    await page.waitForFunction(() => document.querySelectorAll("#node-table tbody tr").length === 32);
    await page.evaluate(() => document.querySelector<HTMLElement>("#node-table tbody tr")!.click()); // details pinned: they change every step
    // Record every change a screen reader could announce: text changes inside any live region.
    await page.evaluate(() => {
      const w = window as any;
      w.spoken = [];
      const live = [...document.querySelectorAll<HTMLElement>("[aria-live]:not([aria-live=off]), [role=status], [role=alert], [role=log]")];
      w.liveIds = live.map((e) => e.id);
      new MutationObserver((records) => {
        for (const r of records) {
          const region = (r.target instanceof HTMLElement ? r.target : r.target.parentElement)!.closest("[aria-live]:not([aria-live=off]), [role=status], [role=alert], [role=log]") as HTMLElement | null;
          if (region) w.spoken.push({ id: region.id, text: region.textContent, at: performance.now() });
        }
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    // 30 updates in about a second, as a running model at the default update rate sends them.
    const t0 = Date.now();
    for (let k = 0; k < 30; k++) {
      const s = steps[k % steps.length];
      await page.evaluate((m) => (window as any).harness.sendSnapshot(m, "step/update"), { ...s, step: k + 2 });
      await page.waitForTimeout(33);
    }
    const burstMs = Date.now() - t0;
    await page.waitForFunction(() => (window as any).spoken.some((s: any) => s.text.startsWith("step 31,")), undefined, { timeout: 5000 });
    const { spoken, liveIds } = await page.evaluate(() => ({ spoken: (window as any).spoken, liveIds: (window as any).liveIds }));
    expect(liveIds).not.toContain("details");
    expect(await page.getAttribute("#details", "aria-live")).toBeNull();
    expect(new Set(spoken.map((s: any) => s.id))).toEqual(new Set(["announcer"]));
    // At most one announcement per second of updates (+1 for the first, at once, and +1 for the last).
    expect(spoken.length).toBeLessThanOrEqual(Math.ceil(burstMs / 1000) + 2);
    for (let k = 1; k < spoken.length; k++) expect(spoken[k].at - spoken[k - 1].at).toBeGreaterThanOrEqual(950);
    expect(spoken.at(-1).text).toMatch(/^step 31, loss /);
    await page.close();
  });

  it("search is a combobox: expanded state, a listbox of options, and the active option as aria-activedescendant", async () => {
    const page = await h.open({ width: 1000, height: 700 });
    await sendSnapshot(page, fixture("coffee-shop"));
    await page.waitForFunction(() => document.querySelectorAll("#node-table tbody tr").length === 32);
    const input = "#search";
    expect(await page.getAttribute(input, "role")).toBe("combobox");
    expect(await page.getAttribute(input, "aria-controls")).toBe("search-results");
    expect(await page.getAttribute(input, "aria-expanded")).toBe("false");
    expect(await page.getAttribute("#search-results", "role")).toBe("listbox");
    const state = () => page.evaluate(() => {
      const i = document.getElementById("search")!;
      const opts = [...document.querySelectorAll("#search-results [role=option]")];
      return { expanded: i.getAttribute("aria-expanded"), active: i.getAttribute("aria-activedescendant"), focus: document.activeElement?.id,
        options: opts.map((o) => ({ id: o.id, selected: o.getAttribute("aria-selected"), label: o.querySelector(".label")?.textContent ?? o.textContent })) };
    });
    await page.focus("#graph");
    await page.keyboard.press("/");
    await page.keyboard.type("add");
    await page.waitForFunction(() => document.getElementById("search")!.getAttribute("aria-expanded") === "true");
    const first = await state();
    expect(first.focus).toBe("search");
    expect(first.options.length).toBeGreaterThan(2);
    expect(first.options[0].selected).toBe("true");
    expect(first.active).toBe(first.options[0].id);
    await page.keyboard.press("ArrowDown");
    const second = await state();
    expect(second.active).toBe(second.options[1].id);
    expect(second.options.map((o) => o.selected)).toEqual(second.options.map((_, k) => String(k === 1)));
    await page.keyboard.type("zzz");
    await page.waitForFunction(() => document.querySelector("#search-results [role=option]")?.textContent === "no match");
    expect((await state()).active).toBeNull();
    await page.keyboard.press("Escape");
    expect(await state()).toMatchObject({ expanded: "false", active: null });
    await page.close();
  });
});
