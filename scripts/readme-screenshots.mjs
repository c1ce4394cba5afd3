#!/usr/bin/env node
// Regenerates the README's screenshots from the real workbench: packages the .vsix, installs it
// into code-server, opens a copy of examples/ in headless Chromium and drives Gradscope as a user
// would (command palette, panel, hover). Writes docs/screenshots/*.png; look at them before committing.
//
//   node scripts/readme-screenshots.mjs [--no-package] [--verbose]
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, ensureCodeServer, installVsix, repoRoot, startCodeServer } from "../test/vscode/codeServer.mjs";
import { findPanelFrame, openFileFromExplorer, panelText, runCommandFromPalette, statusBarText, waitUntil } from "../test/e2e/workbench.mjs";

const OUT = path.join(repoRoot, "docs", "screenshots");
const VIEWPORT = { width: 1280, height: 800 };
const verbose = process.argv.includes("--verbose");
const { version } = JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8"));
const vsix = path.join(repoRoot, "out", `gradscope-${version}.vsix`);

if (!process.argv.includes("--no-package")) execFileSync(process.execPath, [path.join(repoRoot, "scripts", "package-vsix.mjs")], { stdio: "inherit" });
ensureCodeServer();
mkdirSync(OUT, { recursive: true });

const scratch = mkdtempSync(path.join(os.tmpdir(), "gradscope-readme-"));
const workspace = path.join(scratch, "examples"); // the window title reads "examples"
cpSync(path.join(repoRoot, "examples"), workspace, { recursive: true });
const extensionsDir = path.join(scratch, "extensions");
installVsix(vsix, extensionsDir, scratch);
const server = await startCodeServer({ folder: workspace, dataDir: scratch, extensionsDir, log: verbose ? (t) => process.stdout.write(`[code-server] ${t}`) : () => {} });
// startCodeServer wrote the test settings; add what makes a clean picture before the page loads.
const settingsFile = path.join(scratch, "user-data", "User", "settings.json");
writeFileSync(settingsFile, JSON.stringify({
  ...JSON.parse(readFileSync(settingsFile, "utf8")),
  "workbench.colorTheme": "Default Dark Modern",
  "editor.minimap.enabled": false,
  "editor.fontSize": 14,
  "workbench.layoutControl.enabled": false,
  "chat.commandCenter.enabled": false,
  "workbench.secondarySideBar.defaultVisibility": "hidden",
}, null, 2));

const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
const page = await browser.newPage({ viewport: VIEWPORT });
if (verbose) page.on("console", (m) => console.log(`[page ${m.type()}] ${m.text()}`));

let failure;
try {
  await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
  await page.locator(".monaco-workbench").waitFor({ timeout: 60_000 });

  // 1. The seed, with the hover card on `a`: ∂loss/∂a = ∂loss/∂c · ∂c/∂a = 14 × 3 = 42.
  await openFileFromExplorer(page, "chain-rule.ts");
  await runCommandFromPalette(page, "Gradscope: Visualize Backward Pass");
  const panel = await findPanelFrame(page);
  await waitUntil("node a's gradient 42 in the panel", async () => (await nodeRow(panel, "a"))?.[3] === "42");
  await hideSideBar();
  await settle(panel);
  await restMouse();
  await typescriptIdle();
  await hoverNode(panel, "a");
  await shot("chain-rule-hover");

  // 2. coffee-shop, paused 40 steps into its 300: the loss curve falling, inline values in the editor.
  await panel.locator("#graph").hover({ position: { x: 5, y: 5 } }); // off the node: the hover card goes away
  await panel.locator("#tooltip").waitFor({ state: "hidden" });
  // Run N Steps goes on with the session in the panel, so Visualize switches it to coffee-shop first.
  await openFile("coffee-shop.ts");
  await runCommandFromPalette(page, "Gradscope: Visualize Backward Pass");
  await waitUntil("coffee-shop at step 1", async () => {
    const p = await panelText(panel);
    return p.step === 1 && p.loss && !/^49\b/.test(p.loss.replace(/^.*?:\s*/, ""));
  });
  await runSteps(39);
  await waitUntil("coffee-shop paused at step 40", async () => {
    const p = await panelText(panel);
    return p.step >= 40 && /paused/.test(await statusBarText(page));
  }, 180_000);
  await restMouse();
  await settle(panel);
  await shot("coffee-shop-training");

  // 3. moons-mlp (65k scalar nodes a step), opened collapsed into its layers, after a few steps.
  await openFile("moons-mlp.ts");
  await runCommandFromPalette(page, "Gradscope: Visualize Backward Pass");
  await waitUntil("moons-mlp at step 1", async () => (await panelText(panel)).step === 1, 180_000);
  await runSteps(4);
  await waitUntil("moons-mlp paused at step 5", async () => {
    const p = await panelText(panel);
    return p.step >= 5 && p.step < 40 && /paused/.test(await statusBarText(page));
  }, 300_000);
  await restMouse();
  await settle(panel);
  await shot("moons-grouped");
} catch (err) {
  failure = err;
  console.error(`screenshots FAILED: ${err instanceof Error ? err.stack : err}`);
  await page.screenshot({ path: path.join(os.tmpdir(), "gradscope-readme-failure.png") }).catch(() => {});
  console.error(`  the workbench at that moment: ${path.join(os.tmpdir(), "gradscope-readme-failure.png")}`);
} finally {
  await browser.close();
  await server.stop();
  rmSync(scratch, { recursive: true, force: true });
}
process.exit(failure ? 1 : 0);

async function shot(name) {
  await typescriptIdle();
  const file = path.join(OUT, `${name}.png`);
  await page.screenshot({ path: file });
  console.log(`  ${path.relative(repoRoot, file)}`);
}

/** Gradscope: Run N Steps from the palette, answering its "how many" box. */
async function runSteps(n) {
  await runCommandFromPalette(page, "Gradscope: Run N Steps");
  // The palette's input closes and the command's input box opens in the same widget: wait for its title.
  await page.locator(".quick-input-widget .quick-input-title", { hasText: "Run N Steps" }).waitFor();
  const input = page.locator(".quick-input-widget input");
  await input.fill(String(n));
  await input.press("Enter");
  await page.locator(".quick-input-widget").waitFor({ state: "hidden" });
}

/** Parks the mouse on the editor's empty lower part, so no workbench hover shows in the picture. */
async function restMouse() {
  await page.mouse.move(300, VIEWPORT.height - 60);
  await waitUntil("workbench hovers to close", async () => (await page.locator(".workbench-hover-container:visible, .monaco-hover:visible").count()) === 0);
}

/** Waits until the TypeScript server has finished analysing (its status bar spinner is gone). */
async function typescriptIdle() {
  await waitUntil("TypeScript to finish analysing", async () => (await page.locator(".statusbar-item", { hasText: "Analyzing" }).count()) === 0, 120_000);
}

/** The node table's cells for a label (label, op, data, grad), or undefined. */
async function nodeRow(frame, label) {
  for (const row of await frame.locator("#node-table tbody tr").all()) {
    const cells = (await row.locator("td, th").allInnerTexts()).map((c) => c.trim());
    if (cells[0] === label) return cells;
  }
  return undefined;
}

/** Moves the mouse onto a value node in the graph, as a user would, and waits for the hover card. */
async function hoverNode(frame, label) {
  const at = await frame.evaluate((l) => {
    const cy = window.gradscope.cy;
    const node = cy.nodes(".value").filter((n) => String(n.data("label")).split("\n")[0] === l);
    return node.nonempty() ? node.renderedPosition() : null;
  }, label);
  if (!at) throw new Error(`no node labelled ${label} in the graph`);
  await frame.locator("#graph").hover({ position: at });
  await frame.locator("#tooltip:not([hidden])").waitFor();
}

/** Waits until the panel has no layout or paint in progress. */
async function settle(frame) {
  await waitUntil("the panel to finish drawing", () => frame.evaluate(() => !window.gradscope?.busy));
  await frame.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

async function hideSideBar() {
  if (await page.locator(".part.sidebar").isVisible()) await runCommandFromPalette(page, "View: Toggle Primary Side Bar Visibility");
  await waitUntil("the side bar to close", async () => !(await page.locator(".part.sidebar").isVisible()));
}

/** Opens a workspace file with Quick Open (a click on the title bar's search box), as a user would. */
async function openFile(name) {
  // Quick Open opens files in the focused editor group: focus the editor's (the panel has its own group).
  await page.mouse.click(300, VIEWPORT.height - 60);
  await page.locator(".command-center .command-center-center").click();
  const input = page.locator(".quick-input-widget input");
  await input.waitFor();
  await input.fill(name);
  await page.locator(".quick-input-list .monaco-list-row", { hasText: name }).first().waitFor();
  await input.press("Enter");
  await page.locator(`.tabs-container .tab.active[aria-label^="${name}"]`).waitFor();
  await page.keyboard.press("Control+Home");
}
