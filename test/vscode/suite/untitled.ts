import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import type { SuiteContext } from "./context";
import { gradscopeDiagnostics, hoverText, recordHostMessages, type TestCase, waitFor } from "./harness";

/** Issue 7, "the right model, wherever it lives": an untitled model works like a saved one (every lookup keyed by URI). */
export function untitledTests({ api, nodeLabelled }: SuiteContext): TestCase[] {
  const { controller } = api;
  const exampleText = async (name: string) =>
    new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(vscode.extensions.getExtension("gradscope.gradscope")!.extensionUri, "examples", name)));
  /** What New Model From Example makes when no folder is open: an untitled TypeScript editor with the example's text. */
  const untitledModel = async (content: string) => {
    const document = await vscode.workspace.openTextDocument({ language: "typescript", content });
    return vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One });
  };
  const closeWithoutSaving = async (editor: vscode.TextEditor) => {
    await vscode.window.showTextDocument(editor.document, { viewColumn: vscode.ViewColumn.One });
    await vscode.commands.executeCommand("workbench.action.revertAndCloseActiveEditor");
  };

  return [
    {
      name: "an untitled model: hovers, inline values, cursor ↔ node links, node reveal and the CodeLens Step all work",
      timeoutMs: 120_000,
      fn: async () => {
        const editor = await untitledModel(await exampleText("coffee-shop.ts"));
        const { document } = editor;
        assert.equal(document.uri.scheme, "untitled");
        await vscode.commands.executeCommand("gradscope.visualize");
        await waitFor("the untitled model paused at step 1", () => controller.currentStatus.state === "paused" && controller.currentStatus.step === 1 && nodeLabelled("start"));
        assert.equal(controller.model?.uri.toString(), document.uri.toString());
        assert.equal(controller.currentStatus.file, document.uri.path, "the model should go by its editor's title, not a temp path");

        // Hover on `start` where it is declared.
        const text = document.getText();
        const startAt = document.positionAt(text.indexOf("const start") + "const ".length);
        assert.match(await hoverText(document.uri, startAt), /start = 500 · ∂loss\/∂start = /);
        // Inline values after the parameters' lines.
        const inline = await waitFor("inline values in the untitled editor", () => {
          const texts = api.inlineValues.textsFor(document);
          return texts.length > 0 && texts;
        });
        assert.ok(inline.some((t) => /^start = 500 · ∂loss\/∂start = /.test(t)), `inline values: ${JSON.stringify(inline)}`);

        // Cursor on the line → the panel highlights the nodes it created.
        const start = nodeLabelled("start")!;
        await recordHostMessages(api, async (seen) => {
          const line = startAt.line;
          editor.selection = new vscode.Selection(line, 0, line, 0);
          await waitFor("a nodes/highlight with start", () => seen.some((m) => m.type === "nodes/highlight" && m.nodes.includes(start.index)));
        });
        // A node click reveals its line in the untitled editor (it used to reject: the temp file does not exist).
        editor.selection = new vscode.Selection(0, 0, 0, 0);
        const revealed = await api.codeGraph.revealNode(start.index);
        assert.ok(revealed, "the node's line was not revealed");
        assert.equal(revealed.document.uri.toString(), document.uri.toString());
        assert.equal(revealed.selection.active.line, startAt.line);

        // The CodeLens Step (it names the document) continues this run instead of restarting at step 1.
        await vscode.commands.executeCommand("gradscope.step", document.uri);
        await waitFor("step 2 from the CodeLens", () => controller.currentStatus.state === "paused" && controller.currentStatus.step === 2);
        await vscode.commands.executeCommand("gradscope.step", document.uri);
        await waitFor("step 3 from the CodeLens", () => controller.currentStatus.state === "paused" && controller.currentStatus.step === 3);
        await vscode.commands.executeCommand("gradscope.stop");
        await closeWithoutSaving(editor);
      },
    },
    {
      name: "an untitled model's error is a diagnostic in its own editor",
      timeoutMs: 90_000,
      fn: async () => {
        const editor = await untitledModel('import { Value } from "gradscope";\n\nconst a = new Value(2, "a");\nthrow new Error("untitled and broken on line 4");\na.backward();\n');
        await vscode.commands.executeCommand("gradscope.visualize");
        await waitFor("the model error", () => controller.currentStatus.state === "error");
        const diagnostics = await waitFor("a diagnostic on the untitled document", () => {
          const ours = gradscopeDiagnostics(editor.document.uri);
          return ours.length > 0 && ours;
        });
        assert.equal(diagnostics[0].range.start.line, 3);
        assert.match(diagnostics[0].message, /untitled and broken/);
        await closeWithoutSaving(editor);
      },
    },
  ];
}
