import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import type { SuiteContext } from "./context";
import { codeLensTitles, openInFirstColumn, type TestCase, waitFor, workspaceFile } from "./harness";

/** The core loop: Visualize, the panel, hovers, stepping, diagnostics, exports, types. */
export function basicTests({ api, stateIs, atFirstBackward, nodeLabelled, showChainRule }: SuiteContext): TestCase[] {
  const { controller } = api;
  return [
    {
      name: "every contributed command is registered",
      fn: async () => {
        const ours = (await vscode.commands.getCommands(true)).filter((c) => c.startsWith("gradscope."));
        const contributed = (vscode.extensions.getExtension("gradscope.gradscope")!.packageJSON.contributes.commands as { command: string }[]).map((c) => c.command);
        for (const id of contributed) assert.ok(ours.includes(id), `${id} is not registered`);
        for (const id of ["gradscope.visualize", "gradscope.step", "gradscope.run", "gradscope.pause", "gradscope.stop", "gradscope.runN", "gradscope.restart", "gradscope.showGraph", "gradscope.exportGraph", "gradscope.newFromExample"]) {
          assert.ok(contributed.includes(id), `${id} is not contributed`);
        }
      },
    },
    {
      name: "Visualize runs chain-rule.ts and opens the panel beside the editor",
      timeoutMs: 90_000,
      fn: async () => {
        const editor = await openInFirstColumn("chain-rule.ts");
        const outcome = await vscode.commands.executeCommand<{ started: boolean }>("gradscope.visualize");
        assert.deepEqual(outcome, { started: true, file: editor.document.uri.fsPath });
        const status = await waitFor("the first backward() (paused or finished)", atFirstBackward);
        assert.equal(status.step, 1);
        assert.equal(status.loss, 49);
        // The state can arrive just before the step's graph.
        assert.equal((await waitFor("node a in the graph", () => nodeLabelled("a"))).grad, 42);
        assert.equal(nodeLabelled("b")?.grad, 28);
        const panel = api.panel();
        assert.ok(panel, "no panel");
        // The panel learns its column from the workbench a moment after it is created.
        assert.equal(await waitFor("the panel's column", () => panel.viewColumn), vscode.ViewColumn.Two, "the panel is not beside the editor");
        const tab = await waitFor("the Gradscope tab", () =>
          vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith("gradscope.graph")),
        );
        assert.equal(tab.group.viewColumn, vscode.ViewColumn.Two);
        await waitFor("the panel to say view/ready", () => panel.isReady, 60_000);
        // A second run reuses the same panel.
        await vscode.commands.executeCommand("gradscope.visualize", editor.document.uri);
        assert.equal(api.panel(), panel, "the panel was not reused");
        await waitFor("the second run", atFirstBackward);
      },
    },
    {
      name: "hovers and CodeLens show the step's numbers",
      fn: async () => {
        const editor = await showChainRule();
        const text = editor.document.getText();
        const aDeclaration = editor.document.positionAt(text.indexOf("const a") + "const ".length);
        const hovers = await vscode.commands.executeCommand<vscode.Hover[]>("vscode.executeHoverProvider", editor.document.uri, aDeclaration);
        const hoverText = hovers.flatMap((h) => h.contents.map((c) => (typeof c === "string" ? c : c.value))).join("\n");
        assert.match(hoverText, /a = 2 · ∂loss\/∂a = 42/);
        const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>("vscode.executeCodeLensProvider", editor.document.uri);
        const backwardLine = editor.document.positionAt(text.indexOf(".backward(")).line;
        assert.ok(lenses.every((l) => l.range.start.line === backwardLine), "a CodeLens is not on the backward() line");
        // Paused at step 1: the controls that can act on this run.
        assert.deepEqual(await codeLensTitles(editor.document.uri), ["Step", "Run", "Restart"]);
        // A model that is not loaded offers to start it.
        await vscode.workspace.openTextDocument(workspaceFile("coffee-shop.ts"));
        assert.deepEqual(await codeLensTitles(workspaceFile("coffee-shop.ts")), ["Visualize", "Step", "Run"]);
      },
    },
    {
      name: "a node clicked in the panel reveals the line that created it",
      fn: async () => {
        await showChainRule();
        const d = nodeLabelled("d");
        assert.ok(d, "no node d");
        // What the panel sends when a node is clicked, through the same validation path.
        api.panelHost.handleViewMessage({ type: "node/reveal", node: d.index });
        const text = (await vscode.workspace.openTextDocument(workspaceFile("chain-rule.ts"))).getText();
        const expectedLine = text.slice(0, text.indexOf("const d")).split("\n").length - 1;
        await waitFor("the editor to select d's line", () => vscode.window.activeTextEditor?.selection.active.line === expectedLine);
      },
    },
    {
      name: "the cursor's line highlights the nodes it created in the panel",
      fn: async () => {
        const editor = await showChainRule();
        const c = nodeLabelled("c");
        assert.ok(c, "no node c");
        const highlighted: number[][] = [];
        const listening = controller.onHostMessage((m) => m.type === "nodes/highlight" && highlighted.push(m.nodes));
        try {
          const line = editor.document.positionAt(editor.document.getText().indexOf("const c")).line;
          editor.selection = new vscode.Selection(line, 0, line, 0);
          await waitFor("a nodes/highlight message for c's line", () => highlighted.some((nodes) => nodes.includes(c.index)));
        } finally {
          listening.dispose();
        }
      },
    },
    {
      name: "step, run, pause and stop change the state of a training model",
      timeoutMs: 90_000,
      fn: async () => {
        await openInFirstColumn("train-line.ts");
        await vscode.commands.executeCommand("gradscope.visualize");
        await waitFor("paused at step 1", () => controller.currentStatus.state === "paused" && controller.currentStatus.step === 1);
        const firstLoss = controller.currentStatus.loss;
        await vscode.commands.executeCommand("gradscope.step");
        await waitFor("paused at step 2", () => controller.currentStatus.state === "paused" && controller.currentStatus.step === 2);
        assert.notEqual(controller.currentStatus.loss, firstLoss, "the loss did not change after a step");
        await vscode.commands.executeCommand("gradscope.runN", 3);
        await waitFor("paused at step 5 after Run N Steps", () => controller.currentStatus.state === "paused" && controller.currentStatus.step === 5);
        await vscode.commands.executeCommand("gradscope.run");
        await waitFor("running or finished", stateIs("running", "finished"));
        if (controller.currentStatus.state === "running") {
          await vscode.commands.executeCommand("gradscope.pause");
          await waitFor("paused after Pause", stateIs("paused", "finished"));
        }
        await vscode.commands.executeCommand("gradscope.restart");
        await waitFor("paused at step 1 after Restart", () => controller.currentStatus.state === "paused" && controller.currentStatus.step === 1);
        await vscode.commands.executeCommand("gradscope.stop");
        await waitFor("stopped", stateIs("stopped"));
      },
    },
    {
      name: "a big graph (moons MLP, ~65k nodes) reaches the panel and steps",
      timeoutMs: 120_000,
      fn: async () => {
        await openInFirstColumn("moons-mlp.ts");
        await vscode.commands.executeCommand("gradscope.visualize");
        await waitFor("moons at step 1", atFirstBackward, 60_000);
        const nodes = (await waitFor("moons' graph", () => controller.snapshot)).topology.op.length;
        assert.ok(nodes > 50_000, `only ${nodes} nodes`);
        await waitFor("the panel to take the big graph", () => api.panel()?.isReady, 60_000);
        await vscode.commands.executeCommand("gradscope.step");
        await waitFor("moons at step 2", () => controller.currentStatus.state === "paused" && controller.currentStatus.step === 2, 60_000);
        await vscode.commands.executeCommand("gradscope.stop");
      },
    },
    {
      name: "a broken model gets a diagnostic at its line, cleared by the next good run",
      timeoutMs: 90_000,
      fn: async () => {
        const editor = await openInFirstColumn("broken-model.ts");
        await vscode.commands.executeCommand("gradscope.visualize");
        const status = await waitFor("the model error", stateIs("error"));
        assert.equal(status.error?.line, 5, `error at ${JSON.stringify(status.error)}`);
        const diagnostics = await waitFor("a Gradscope diagnostic", () => {
          const ours = vscode.languages.getDiagnostics(editor.document.uri).filter((d) => d.source?.startsWith("gradscope"));
          return ours.length > 0 && ours;
        });
        assert.equal(diagnostics[0].range.start.line, 4);
        assert.match(diagnostics[0].message, /broken on line 5/);
        // Fix it without saving: Visualize runs the editor's current text.
        const throwLine = editor.document.lineAt(4).rangeIncludingLineBreak;
        assert.ok(await editor.edit((e) => e.delete(throwLine)));
        await vscode.commands.executeCommand("gradscope.visualize");
        await waitFor("the fixed model to reach backward()", atFirstBackward);
        assert.equal(vscode.languages.getDiagnostics(editor.document.uri).filter((d) => d.source?.startsWith("gradscope")).length, 0);
        await vscode.commands.executeCommand("workbench.action.revertAndCloseActiveEditor");
      },
    },
    {
      name: "with gradscope.runOnSave, saving the model runs it again",
      fn: async () => {
        const config = vscode.workspace.getConfiguration("gradscope");
        await config.update("runOnSave", true, vscode.ConfigurationTarget.Workspace);
        try {
          const { document } = await openInFirstColumn("train-line.ts");
          await vscode.commands.executeCommand("gradscope.visualize");
          await waitFor("paused at step 1", atFirstBackward);
          const states: string[] = [];
          const listening = controller.onDidChangeStatus((st) => states.push(st.state));
          try {
            // A WorkspaceEdit, not editor.edit: the editor object may be replaced while the panel is revealed.
            const insert = new vscode.WorkspaceEdit();
            insert.insert(document.uri, new vscode.Position(0, 0), "// saved\n");
            assert.ok(await vscode.workspace.applyEdit(insert));
            assert.ok(await document.save());
            await waitFor("a new run after saving", () => states.includes("starting") && states.some((st) => st === "running" || st === "finished"));
          } finally {
            listening.dispose();
          }
          const undo = new vscode.WorkspaceEdit();
          undo.delete(document.uri, new vscode.Range(0, 0, 1, 0));
          assert.ok(await vscode.workspace.applyEdit(undo));
          await document.save();
          await vscode.commands.executeCommand("gradscope.stop");
        } finally {
          await config.update("runOnSave", undefined, vscode.ConfigurationTarget.Workspace);
        }
      },
    },
    {
      name: "Export Graph writes the step's snapshot as JSON",
      fn: async () => {
        await openInFirstColumn("chain-rule.ts");
        await vscode.commands.executeCommand("gradscope.visualize");
        await waitFor("chain-rule's graph", () => controller.currentStatus.loss === 49 && controller.snapshot);
        const target = workspaceFile("exported-graph.json");
        await vscode.commands.executeCommand("gradscope.exportGraph", "json", target);
        const json = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(target)));
        assert.equal(json.format, "gradscope-snapshot@1");
        assert.equal(json.loss, 49);
      },
    },
    {
      name: "Export Graph as SVG round-trips through the panel (export/request → export/save)",
      fn: async () => {
        await showChainRule();
        await waitFor("the panel to be ready", () => api.panel()?.isReady);
        const target = workspaceFile("exported-graph.svg");
        await vscode.commands.executeCommand("gradscope.exportGraph", "svg", target);
        const svg = await waitFor("the SVG file", async () => {
          try {
            return new TextDecoder().decode(await vscode.workspace.fs.readFile(target));
          } catch {
            return undefined;
          }
        });
        assert.match(svg, /<svg[\s>]/);
      },
    },
    {
      name: "New Model From Example copies an example into the workspace without overwriting",
      fn: async () => {
        const created = await vscode.commands.executeCommand<vscode.Uri>("gradscope.newFromExample", "chain-rule.ts");
        assert.ok(created, "nothing was created");
        assert.match(created.path, /chain-rule-2\.ts$/, "it should not overwrite the existing chain-rule.ts");
        assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), created.toString());
      },
    },
    {
      name: "types without setup: `gradscope` resolves to the bundled declarations in the editor",
      timeoutMs: 120_000,
      fn: async () => {
        const declarations = vscode.Uri.joinPath(vscode.extensions.getExtension("gradscope.gradscope")!.extensionUri, "dist", "gradscope.d.ts");
        await vscode.workspace.fs.stat(declarations).then(undefined, () => {
          throw new Error(`${declarations.fsPath} is missing: the build must emit the engine's declarations there`);
        });
        const editor = await openInFirstColumn("chain-rule.ts");
        const text = editor.document.getText();
        const valueRef = editor.document.positionAt(text.indexOf("new Value") + "new ".length);
        // tsserver starts lazily; hover until it answers with the declaration of the class.
        const hoverText = await waitFor(
          "a TypeScript hover on Value",
          async () => {
            const hovers = await vscode.commands.executeCommand<vscode.Hover[]>("vscode.executeHoverProvider", editor.document.uri, valueRef);
            const all = hovers.flatMap((h) => h.contents.map((c) => (typeof c === "string" ? c : c.value))).join("\n");
            return /class Value|constructor Value|Value\(/.test(all) && all;
          },
          100_000,
        );
        assert.doesNotMatch(hoverText, /\bany\b/, `the hover suggests an unresolved module: ${hoverText}`);
        const unresolved = vscode.languages.getDiagnostics(editor.document.uri).filter((d) => /Cannot find module 'gradscope'/.test(d.message));
        assert.equal(unresolved.length, 0, "tsserver cannot find module 'gradscope'");
        // And it completes: the members of a Value after `a.`.
        const afterA = editor.document.positionAt(text.indexOf("a.mul") + "a.".length);
        const completions = await vscode.commands.executeCommand<vscode.CompletionList>("vscode.executeCompletionItemProvider", editor.document.uri, afterA, ".");
        const names = completions.items.map((i) => (typeof i.label === "string" ? i.label : i.label.label));
        for (const member of ["backward", "grad", "tanh"]) assert.ok(names.includes(member), `no completion for ${member} (got ${names.slice(0, 20).join(", ")})`);
      },
    },
  ];
}
