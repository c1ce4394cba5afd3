import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import { gradscope, openInFirstColumn, runTests } from "./harness";

/** Extension-host suite in a workspace that is NOT trusted (Restricted Mode). */
export async function run(): Promise<void> {
  const api = await gradscope();
  await runTests("Gradscope in VS Code (Restricted Mode)", [
    {
      name: "the workspace really is untrusted",
      fn: () => assert.equal(vscode.workspace.isTrusted, false),
    },
    {
      name: "Visualize refuses to run model code and opens no panel",
      fn: async () => {
        await openInFirstColumn("chain-rule.ts");
        const outcome = await vscode.commands.executeCommand("gradscope.visualize");
        assert.deepEqual(outcome, { started: false, reason: "untrusted" });
        assert.equal(api.panel(), undefined);
        assert.equal(api.controller.hasSession, false);
        assert.equal(api.controller.currentStatus.state, "idle");
      },
    },
  ]);
}
