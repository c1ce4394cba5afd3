import * as vscode from "vscode";
import type { GradscopeApi } from "../../../src/extension/extension";
import type { HostMessage } from "../../../src/protocol/panel";

/**
 * A tiny test runner for the extension host (no mocha): named async tests, run in order,
 * each with a time limit; failures are printed with their stack and make run() reject,
 * which the workbench reports as a non-zero exit code.
 */
export interface TestCase {
  name: string;
  fn: () => Promise<void> | void;
  timeoutMs?: number;
}

export async function runTests(title: string, tests: TestCase[]): Promise<void> {
  console.log(`\n${title}`);
  const failures: string[] = [];
  // GRADSCOPE_TEST_GREP=regex runs a subset (code-server passes its environment to the extension host).
  const grep = process.env.GRADSCOPE_TEST_GREP ? new RegExp(process.env.GRADSCOPE_TEST_GREP, "i") : undefined;
  for (const t of tests.filter((t) => !grep || grep.test(t.name))) {
    const started = Date.now();
    try {
      await withTimeout(Promise.resolve().then(t.fn), t.timeoutMs ?? 60_000, t.name);
      console.log(`  ✓ ${t.name} (${Date.now() - started} ms)`);
    } catch (err) {
      failures.push(t.name);
      console.log(`  ✗ ${t.name} (${Date.now() - started} ms)\n${indent(err instanceof Error ? (err.stack ?? err.message) : String(err))}`);
    }
  }
  const ran = grep ? tests.filter((t) => grep.test(t.name)).length : tests.length;
  console.log(`\n${ran - failures.length} passed, ${failures.length} failed`);
  if (failures.length) throw new Error(`failed: ${failures.join("; ")}`);
}

export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function gradscope(): Promise<GradscopeApi> {
  const extension = vscode.extensions.getExtension<GradscopeApi>("gradscope.gradscope");
  if (!extension) throw new Error("the gradscope.gradscope extension is not loaded");
  return extension.activate();
}

export function workspaceFile(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error("the tests need a workspace folder");
  return vscode.Uri.joinPath(folder.uri, name);
}

export async function openInFirstColumn(name: string): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument(workspaceFile(name));
  return vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One });
}

function withTimeout<T>(p: Promise<T>, ms: number, name: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`${name}: timed out after ${ms} ms`)), ms))),
  ]);
}

function indent(text: string): string {
  return text.split("\n").map((l) => `      ${l}`).join("\n");
}

/** Every message the host sends the panel while `body` runs (whether or not a panel is open). */
export async function recordHostMessages<T>(api: GradscopeApi, body: (seen: HostMessage[]) => Promise<T>): Promise<T> {
  const seen: HostMessage[] = [];
  const listening = api.controller.onHostMessage((m) => seen.push(m));
  try {
    return await body(seen);
  } finally {
    listening.dispose();
  }
}

/** The Gradscope lines of a hover, joined. */
export async function hoverText(uri: vscode.Uri, position: vscode.Position): Promise<string> {
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>("vscode.executeHoverProvider", uri, position);
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === "string" ? c : c.value))).filter((t) => t.includes("Gradscope") || t.includes("∂loss")).join("\n");
}

/** CodeLens titles without their icons. */
export async function codeLensTitles(uri: vscode.Uri): Promise<string[]> {
  const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>("vscode.executeCodeLensProvider", uri);
  return lenses.map((l) => (l.command?.title ?? "").replace(/\$\([^)]*\)\s*/, ""));
}

export function gradscopeDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source?.startsWith("gradscope"));
}

export async function readText(uri: vscode.Uri): Promise<string | undefined> {
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    return undefined;
  }
}

/** Closes the Gradscope panel (as the user's × does). */
export async function closePanel(api: GradscopeApi): Promise<void> {
  const panel = api.panel();
  if (!panel) return;
  panel.panel.dispose();
  await waitFor("the panel to close", () => api.panel() === undefined);
}
