import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import { gradscope, recordHostMessages, runTests, waitFor } from "./harness";

/**
 * Extension-host suite in a multi-root workspace: folders `alpha` (default settings) and `beta`
 * (its own .vscode/settings.json: collapseThreshold 7, inlineValues off), each with chain-rule.ts.
 * Settings are read for the model's own folder.
 */
export async function run(): Promise<void> {
  const api = await gradscope();
  const { controller } = api;
  const folder = (name: string) => {
    const f = vscode.workspace.workspaceFolders?.find((w) => w.name === name);
    if (!f) throw new Error(`no workspace folder ${name}`);
    return f;
  };
  const visualize = async (folderName: string) => {
    const uri = vscode.Uri.joinPath(folder(folderName).uri, "chain-rule.ts");
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { viewColumn: vscode.ViewColumn.One });
    return recordHostMessages(api, async (seen) => {
      await vscode.commands.executeCommand("gradscope.visualize", uri);
      await waitFor(`${folderName}'s chain-rule at its backward()`, () => controller.model?.is(uri) && controller.currentStatus.loss === 49 && controller.snapshot);
      const config = seen.filter((m) => m.type === "config/set").pop();
      return { editor, threshold: config?.type === "config/set" ? config.collapseThreshold : undefined };
    });
  };

  await runTests("Gradscope in VS Code (multi-root workspace)", [
    {
      name: "the workspace has two folders, beta with its own Gradscope settings",
      fn: () => {
        assert.equal(vscode.workspace.workspaceFolders?.length, 2);
        assert.equal(vscode.workspace.getConfiguration("gradscope", folder("beta").uri).get("collapseThreshold"), 7);
        assert.equal(vscode.workspace.getConfiguration("gradscope", folder("alpha").uri).get("collapseThreshold"), 400);
      },
    },
    {
      name: "settings are read per model folder: collapseThreshold for the panel, inlineValues for the editor",
      timeoutMs: 90_000,
      fn: async () => {
        const alpha = await visualize("alpha");
        assert.equal(alpha.threshold, 400, "alpha's model should use the default threshold");
        await waitFor("inline values in alpha's model", () => api.inlineValues.textsFor(alpha.editor.document).length > 0);

        const beta = await visualize("beta");
        assert.equal(beta.threshold, 7, "beta's model should use beta's own threshold");
        assert.deepEqual(api.inlineValues.textsFor(beta.editor.document), [], "beta turned inline values off for its files");
        await vscode.commands.executeCommand("gradscope.stop");
      },
    },
  ]);
}
