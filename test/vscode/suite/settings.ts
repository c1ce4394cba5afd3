import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import type { SuiteContext } from "./context";
import { recordHostMessages, type TestCase, waitFor } from "./harness";

/** Issue 7: settings apply to an open panel at once. */
export function settingsTests({ api, showChainRule }: SuiteContext): TestCase[] {
  return [
    {
      name: "changing gradscope.collapseThreshold reaches the open panel at once (config/set)",
      fn: async () => {
        await showChainRule();
        const config = vscode.workspace.getConfiguration("gradscope");
        await recordHostMessages(api, async (seen) => {
          try {
            await config.update("collapseThreshold", 7, vscode.ConfigurationTarget.Workspace);
            await waitFor("config/set with 7", () => seen.some((m) => m.type === "config/set" && m.collapseThreshold === 7));
          } finally {
            await config.update("collapseThreshold", undefined, vscode.ConfigurationTarget.Workspace);
          }
          await waitFor("config/set back to the default", () => seen.some((m) => m.type === "config/set" && m.collapseThreshold === 400));
        });
        assert.ok(api.controller.fullState().some((m) => m.type === "config/set" && m.collapseThreshold === 400));
      },
    },
  ];
}
