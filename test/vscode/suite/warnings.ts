import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import type { SuiteContext } from "./context";
import { gradscopeDiagnostics, openInFirstColumn, recordHostMessages, type TestCase, waitFor } from "./harness";

/** Issue 7: the model's likely mistakes, shown where the user looks — a squiggle in the code and a banner in the panel. */
export function warningTests({ api, stateIs }: SuiteContext): TestCase[] {
  const { controller } = api;
  const warningsIn = (uri: vscode.Uri) => gradscopeDiagnostics(uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Warning);

  return [
    {
      name: "gradients not zeroed: a warning diagnostic at the backward() line and a model/warning for the panel",
      timeoutMs: 90_000,
      fn: async () => {
        const editor = await openInFirstColumn("not-zeroed.ts");
        const backwardLine = editor.document.positionAt(editor.document.getText().indexOf("loss.backward()")).line;
        await recordHostMessages(api, async (seen) => {
          await vscode.commands.executeCommand("gradscope.run", editor.document.uri);
          await waitFor("the model to finish", stateIs("finished"));
          const banner = await waitFor("a model/warning", () => seen.find((m) => m.type === "model/warning"));
          assert.ok(banner.type === "model/warning" && /already had grad/.test(banner.message) && banner.line === backwardLine + 1, JSON.stringify(banner));
        });
        const warning = await waitFor("a warning diagnostic", () => warningsIn(editor.document.uri)[0]);
        assert.equal(warning.range.start.line, backwardLine);
        assert.match(warning.message, /Zero them first/);
        // The warning belongs to that run: the next start clears it.
        await vscode.commands.executeCommand("gradscope.visualize", editor.document.uri);
        await waitFor("the warning cleared by the new run", () => warningsIn(editor.document.uri).length === 0);
        await vscode.commands.executeCommand("gradscope.stop");
      },
    },
    {
      name: "a model that never calls backward() gets a clear message (diagnostic and banner), not just 'finished, step 0'",
      timeoutMs: 90_000,
      fn: async () => {
        const editor = await openInFirstColumn("no-backward.ts");
        await recordHostMessages(api, async (seen) => {
          await vscode.commands.executeCommand("gradscope.visualize", editor.document.uri);
          await waitFor("the model to end", stateIs("finished", "error"));
          const banner = await waitFor("a model/warning about backward()", () => seen.find((m) => m.type === "model/warning" && /backward\(\)/.test(m.message)));
          assert.ok(banner.type === "model/warning" && /never|without/.test(banner.message), JSON.stringify(banner));
        });
        assert.equal(controller.currentStatus.step, 0);
        const warning = await waitFor("a warning diagnostic", () => warningsIn(editor.document.uri)[0]);
        assert.match(warning.message, /backward\(\)/);
        // It also reaches a panel opened later.
        assert.ok(controller.fullState().some((m) => m.type === "model/warning"), "the warning is not part of the panel's full state");
      },
    },
  ];
}
