// Small, user-level moves in the VS Code workbench (code-server) for the end-to-end test.

export async function waitUntil(what, probe, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (err) {
      last = err; // frames detach and re-attach while the workbench loads
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${last.message})` : ""}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Clicks a file in the Explorer, as a user would, and waits for its editor tab. */
export async function openFileFromExplorer(page, name) {
  // Files open in the active editor group: make it the first one, not the Gradscope panel's.
  await page.keyboard.press("Control+1");
  const item = page.locator(`.explorer-folders-view .monaco-list-row[aria-label^="${name}"]`).first();
  await item.waitFor({ timeout: 60_000 });
  await item.click();
  await page.locator(`.tabs-container .tab[aria-label^="${name}"]`).first().waitFor({ timeout: 30_000 });
  await focusEditor(page);
}

/**
 * Ctrl+Shift+P, the command's title, a click on the exact row. A command whose `when` clause is
 * not true yet (the extension still activating, focus not yet in the editor) is not listed: close
 * the palette and ask again, a few times.
 */
export async function runCommandFromPalette(page, title) {
  // Fuzzy matching may rank another command first ("Step" also matches "Run N Steps"): click the exact one.
  const exact = new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);
  const row = page.locator(".quick-input-list .monaco-list-row").filter({ has: page.locator(".label-name", { hasText: exact }) });
  for (let attempt = 1; ; attempt++) {
    try {
      await page.keyboard.press(attempt % 2 ? "Control+Shift+P" : "F1");
      const input = page.locator(".quick-input-widget input");
      await input.waitFor({ timeout: 5_000 });
      await input.fill(`>${title}`);
      await row.first().waitFor({ timeout: 10_000 });
      await row.first().click();
      return;
    } catch (err) {
      if (attempt >= 4) throw err;
      await page.keyboard.press("Escape");
      await page.locator(".quick-input-widget").waitFor({ state: "hidden", timeout: 10_000 }).catch(() => {});
      // A key pressed while the focus is inside a webview's frame may never reach the workbench: take it back.
      await page.evaluate(() => (document.activeElement instanceof HTMLElement ? document.activeElement.blur() : undefined));
    }
  }
}

/**
 * Puts the keyboard focus in the active text editor (a click in its visible text area, then Ctrl+Home). Not on
 * the lines' own element: an editor that opens scrolled (its restored view state) moves that element's corner
 * out of view, and the click lands on the page instead.
 */
export async function focusEditor(page) {
  const editor = page.locator(".editor-group-container .monaco-editor .overflow-guard").first();
  const box = await editor.boundingBox();
  await editor.click({ position: { x: Math.min(80, (box?.width ?? 100) / 2), y: 8 } });
  await page.keyboard.press("Control+Home");
}

/** The Gradscope webview lives in nested iframes; find the frame that holds its page. */
export async function findPanelFrame(page) {
  return waitUntil("the Gradscope panel's frame", async () => {
    for (const frame of page.frames()) {
      if (await frame.locator("#node-table").count()) return frame;
    }
    return undefined;
  });
}

/** What the panel's toolbar says: step number and loss text. */
export async function panelText(frame) {
  const stepText = (await frame.locator("#step-counter").innerText()).trim();
  const loss = (await frame.locator("#loss-readout").innerText()).trim();
  const m = stepText.match(/(\d+)/);
  return { step: m ? Number(m[1]) : undefined, loss, stepText };
}

export async function statusBarText(page) {
  const item = page.locator(".statusbar-item", { hasText: "Gradscope:" }).first();
  return (await item.count()) ? (await item.innerText()).trim() : "";
}

/** The Gradscope status bar item's tooltip/aria text (what a click does). */
export async function statusBarItem(page) {
  return page.locator(".statusbar-item", { hasText: "Gradscope:" }).first();
}

/** Closes the Gradscope panel's editor tab with its × (as a user does). */
export async function closePanelTab(page) {
  const tab = page.locator(".tabs-container .tab", { hasText: "Gradscope" }).first();
  await tab.hover();
  await tab.locator(".tab-actions .action-label").first().click();
  await waitUntil("the Gradscope tab to close", async () => (await page.locator(".tabs-container .tab", { hasText: "Gradscope" }).count()) === 0);
}

/** The notification toast whose message matches, once it shows. */
export async function waitForToast(page, text) {
  const toast = page.locator(".notifications-toasts .notification-toast", { hasText: text }).first();
  await toast.waitFor({ timeout: 30_000 });
  return toast;
}

/** Picks an item in an open Quick Pick by its label. */
export async function pickQuickItem(page, label) {
  const row = page.locator(".quick-input-list .monaco-list-row", { has: page.locator(".label-name", { hasText: label }) }).first();
  await row.waitFor({ timeout: 15_000 });
  await row.click();
}

/** Clicks a CodeLens of the active editor by its title (icons are CSS, so the text is the title's words). */
export async function clickCodeLens(page, title) {
  const lens = page.locator(".editor-group-container .monaco-editor .codelens-decoration a", { hasText: new RegExp(`^\\s*${title}\\s*$`) }).first();
  await lens.waitFor({ timeout: 30_000 });
  await lens.click();
}
