import { createServer, type Server } from "node:http";
import { readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { join, extname, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import * as esbuild from "esbuild";
import { chromium, type Browser, type Page } from "playwright-core";
import { panelHtml } from "../../webview/panelHtml";
import type { Snapshot } from "../../src/protocol/graph";
import { snapshotToJSON, type SnapshotJSON } from "../../src/graph/snapshotJson";

/**
 * The browser harness: serves the real panel page (panelHtml) with the real
 * dist/webview.js and media/ from 127.0.0.1, plus a stand-in for VS Code
 * (harnessPage.ts) and theme variables like VS Code's.
 */

// The benchmark bundles this file elsewhere, so it passes the repository root explicitly.
const root = process.env.GRADSCOPE_ROOT ?? resolve(__dirname, "../..");
const here = join(root, "test/browser");
const TYPES: Record<string, string> = { ".js": "text/javascript", ".css": "text/css", ".html": "text/html", ".map": "application/json" };

export interface Harness {
  url: string;
  browser: Browser;
  open(opts?: { theme?: "dark" | "light" | "high-contrast" | "high-contrast-light"; state?: unknown; width?: number; height?: number; renderer?: "auto" | "canvas" | "webgl" }): Promise<Page>;
  close(): Promise<void>;
}

async function ensureBundles(): Promise<string> {
  // The panel bundle is built by the project's build; build it if a test run starts from a clean tree.
  if (!existsSync(join(root, "dist/webview.js"))) {
    await esbuild.build({ entryPoints: [join(root, "webview/main.ts")], bundle: true, format: "iife", platform: "browser", target: "chrome120", outfile: join(root, "dist/webview.js"), logLevel: "warning" });
  }
  const out = await esbuild.build({ entryPoints: [join(here, "harnessPage.ts")], bundle: true, format: "iife", platform: "browser", target: "chrome120", write: false, logLevel: "warning" });
  return out.outputFiles[0].text;
}

export async function startHarness(): Promise<Harness> {
  const harnessJs = await ensureBundles();
  const themesCss = await readFile(join(here, "themes.css"), "utf8");
  let origin = "";
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const path = url.pathname;
    try {
      if (path === "/" || path === "/index.html") {
        const nonce = randomBytes(16).toString("base64");
        const renderer = url.searchParams.get("renderer") as "auto" | "canvas" | "webgl" | null;
        let html = panelHtml({ cspSource: origin, nonce, scriptUri: `${origin}/dist/webview.js`, styleUri: `${origin}/media/panel.css`, renderer: renderer ?? undefined });
        // The stand-ins VS Code provides: theme variables and acquireVsCodeApi, loaded before the bundle.
        html = html.replace("</head>", `  <link rel="stylesheet" href="${origin}/harness/themes.css">\n</head>`);
        html = html.replace(`<script nonce="${nonce}"`, `<script nonce="${nonce}" src="${origin}/harness/harness.js"></script>\n  <script nonce="${nonce}"`);
        return reply(res, 200, "text/html", html);
      }
      if (path === "/favicon.ico") return reply(res, 204, "image/x-icon", "");
      if (path === "/harness/harness.js") return reply(res, 200, TYPES[".js"], harnessJs);
      if (path === "/harness/themes.css") return reply(res, 200, TYPES[".css"], themesCss);
      if (path.startsWith("/dist/") || path.startsWith("/media/")) {
        const file = resolve(root, "." + path);
        if (!file.startsWith(root)) return reply(res, 403, "text/plain", "no");
        return reply(res, 200, TYPES[extname(file)] ?? "application/octet-stream", await readFile(file));
      }
      reply(res, 404, "text/plain", "not found");
    } catch {
      reply(res, 404, "text/plain", "not found");
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const addr = server.address();
  origin = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  });
  return {
    url: origin,
    browser,
    async open(opts = {}) {
      const page = await browser.newPage({ viewport: { width: opts.width ?? 1200, height: opts.height ?? 800 } });
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
      (page as Page & { errors?: string[] }).errors = errors;
      const q = new URLSearchParams({ theme: opts.theme ?? "dark" });
      if (opts.state !== undefined) q.set("state", JSON.stringify(opts.state));
      if (opts.renderer) q.set("renderer", opts.renderer);
      await page.goto(`${origin}/index.html?${q}`);
      await page.waitForFunction(() => (window as any).harness?.posted.some((m: any) => m.type === "view/ready"));
      return page;
    },
    async close() {
      await browser.close();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function reply(res: import("node:http").ServerResponse, status: number, type: string, body: string | Buffer) {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
  res.end(body);
}

/** Page errors and console errors seen so far (CSP violations show up here). */
export function pageErrors(page: Page): string[] {
  return (page as Page & { errors?: string[] }).errors ?? [];
}

export const toJSON = (s: Snapshot): SnapshotJSON => snapshotToJSON(s);

export async function sendSnapshot(page: Page, s: Snapshot | SnapshotJSON, type: "graph/set" | "step/update" = "graph/set"): Promise<void> {
  const json = "format" in s ? s : snapshotToJSON(s);
  await page.evaluate(([j, t]) => (window as any).harness.sendSnapshot(j, t), [json, type] as const);
}

export async function send(page: Page, msg: unknown): Promise<void> {
  await page.evaluate((m) => (window as any).harness.send(m), msg);
}

export async function posted(page: Page): Promise<any[]> {
  return page.evaluate(() => (window as any).harness.posted);
}

/** Asks the view for an export, as the host's Export Graph command does, and returns the export/save it posts. */
export async function requestExport(page: Page, format: string, csv?: "loss" | "nodes"): Promise<any> {
  const n = (await posted(page)).length;
  await send(page, csv ? { type: "export/request", format, csv } : { type: "export/request", format });
  await page.waitForFunction((k) => (window as any).harness.posted.slice(k).some((m: any) => m.type === "export/save"), n);
  return (await posted(page)).slice(n).find((m) => m.type === "export/save");
}

/** Rows of the accessible node table: what a screen reader reads. */
export async function tableRows(page: Page): Promise<{ label: string; op: string; data: string; grad: string; node: number }[]> {
  return page.$$eval("#node-table tbody tr", (trs) => trs.map((tr) => {
    const td = tr.querySelectorAll("td");
    return { label: td[0].textContent ?? "", op: td[1].textContent ?? "", data: td[2].textContent ?? "", grad: td[3].textContent ?? "", node: Number((tr as HTMLElement).dataset.node) };
  }));
}

/**
 * Where a node is drawn, in page coordinates (to hover or click it like a user), once it stays there for two
 * frames: a banner shown or a layout fitted after the caller's last wait moves it (a click then missed it,
 * seen once in CI under load).
 */
export async function nodeScreenPosition(page: Page, elementId: string): Promise<{ x: number; y: number }> {
  return page.evaluate(async (id) => {
    const at = () => {
      const p = (window as any).gradscope.cy.getElementById(id).renderedPosition();
      const box = document.getElementById("graph")!.getBoundingClientRect();
      return { x: box.left + p.x, y: box.top + p.y };
    };
    const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
    let last = at();
    for (let still = 0, n = 0; still < 2 && n < 120; n++) {
      await frame();
      const now = at();
      still = now.x === last.x && now.y === last.y ? still + 1 : 0;
      last = now;
    }
    return last;
  }, elementId);
}
