import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import type { HostMessage } from "../../../src/protocol/panel";
import type { SuiteContext } from "./context";
import { closePanel, hoverText, openInFirstColumn, readText, recordHostMessages, type TestCase, waitFor, workspaceFile } from "./harness";

/** Issue 7: the panel closed mid-run, exports without it, one model at a time, and focus on node click. */
export function panelTests({ api, stateIs, nodeLabelled, showChainRule }: SuiteContext): TestCase[] {
  const { controller } = api;

  return [
    {
      name: "closing the panel mid-run: the status bar offers Show Graph, which reattaches with the full current state",
      timeoutMs: 120_000,
      fn: async () => {
        const editor = await openInFirstColumn("train-line.ts");
        await vscode.commands.executeCommand("gradscope.visualize", editor.document.uri);
        await waitFor("paused at step 1", () => controller.currentStatus.state === "paused" && controller.currentStatus.step === 1);
        await vscode.commands.executeCommand("gradscope.runN", 4);
        await waitFor("paused at step 5", () => controller.currentStatus.state === "paused" && controller.currentStatus.step === 5 && controller.snapshot?.step === 5);
        await closePanel(api);
        // Still there to act on, and the status bar says how to get the graph back.
        assert.equal(controller.currentStatus.state, "paused");
        await waitFor("the status bar to offer Show Graph", () => api.statusBar.shown.command === "gradscope.showGraph" && /Click to show the graph/.test(api.statusBar.shown.tooltip));
        await vscode.commands.executeCommand("gradscope.step");
        await waitFor("step 6 with the panel closed", () => controller.currentStatus.state === "paused" && controller.currentStatus.step === 6);

        // Record what the new panel is sent when it says view/ready.
        const sent: HostMessage[][] = [];
        const fullState = api.panelHost.fullState;
        (api.panelHost as { fullState: () => HostMessage[] }).fullState = () => {
          const messages = fullState();
          sent.push(messages);
          return messages;
        };
        try {
          assert.equal(await vscode.commands.executeCommand("gradscope.showGraph"), true);
          const panel = await waitFor("a ready panel", () => api.panel()?.isReady && api.panel());
          assert.equal(await waitFor("the panel's column", () => panel.viewColumn), vscode.ViewColumn.Two);
          const messages = await waitFor("the full state sent to the new panel", () => sent[0]);
          const types = messages.map((m) => m.type);
          assert.equal(types[0], "session/reset");
          const graph = messages.find((m) => m.type === "graph/set");
          assert.ok(graph && graph.type === "graph/set" && graph.step === 6, `graph/set of step 6 expected: ${types.join(", ")}`);
          const state = messages.find((m) => m.type === "session/state");
          assert.ok(state?.type === "session/state" && state.state === "paused" && state.step === 6);
          const losses = messages.find((m) => m.type === "loss/set");
          assert.ok(losses?.type === "loss/set" && losses.losses.length === 6, "the whole loss curve (6 steps)");
          assert.ok(types.includes("history/available"));
        } finally {
          (api.panelHost as { fullState: () => HostMessage[] }).fullState = fullState;
        }
        await waitFor("the status bar's click back to run/pause", () => api.statusBar.shown.command === "gradscope.toggleRun");
        await vscode.commands.executeCommand("gradscope.stop");
      },
    },
    {
      name: "Export Graph with the panel closed: SVG opens the panel and is written; JSON and both CSVs come from the host",
      timeoutMs: 120_000,
      fn: async () => {
        await showChainRule();
        await closePanel(api);
        const svgTarget = workspaceFile("closed-panel.svg");
        const svgUri = await vscode.commands.executeCommand<vscode.Uri | undefined>("gradscope.exportGraph", "svg", svgTarget);
        assert.equal(svgUri?.toString(), svgTarget.toString(), "the SVG export did not finish");
        assert.match((await readText(svgTarget)) ?? "", /<svg[\s>]/);
        assert.ok(api.panel()?.isReady, "the SVG export should have opened the panel");

        await closePanel(api);
        const json = await vscode.commands.executeCommand<vscode.Uri>("gradscope.exportGraph", "json", workspaceFile("closed-panel.json"));
        assert.equal(JSON.parse((await readText(json)) ?? "{}").loss, 49);
        const lossCsv = await vscode.commands.executeCommand<vscode.Uri>("gradscope.exportGraph", "csv-loss", workspaceFile("closed-panel-loss.csv"));
        assert.equal(await readText(lossCsv), "step,loss\n1,49\n");
        const nodesCsv = await vscode.commands.executeCommand<vscode.Uri>("gradscope.exportGraph", "csv-nodes", workspaceFile("closed-panel-nodes.csv"));
        const rows = ((await readText(nodesCsv)) ?? "").trim().split("\n");
        assert.equal(rows[0], "node,name,op,kind,data,grad,input0,input1,group,file,line");
        assert.equal(rows.length - 1, controller.snapshot!.topology.op.length, "one row per node");
        assert.ok(rows.some((r) => /^\d+,a,leaf,input,2,42,/.test(r)), `no row for a: ${rows.join(" | ")}`);
        assert.equal(api.panel(), undefined, "JSON and CSV exports must not need the panel");
      },
    },
    {
      name: "switching to a model that fails to compile: the panel is told to forget the last one, and no export or hover shows it",
      timeoutMs: 90_000,
      fn: async () => {
        const chainRule = await showChainRule();
        const aAt = chainRule.document.positionAt(chainRule.document.getText().indexOf("const a") + "const ".length);
        assert.match(await hoverText(chainRule.document.uri, aAt), /a = 2/);
        await recordHostMessages(api, async (seen) => {
          const broken = await openInFirstColumn("compile-error.ts");
          await vscode.commands.executeCommand("gradscope.visualize");
          const status = await waitFor("the compile error", stateIs("error"));
          assert.equal(status.error?.kind, "compile");
          assert.equal(status.uri?.toString(), broken.document.uri.toString());
          const reset = seen.findIndex((m) => m.type === "session/reset");
          assert.ok(reset >= 0, `no session/reset among ${seen.map((m) => m.type).join(", ")}`);
          const resetMessage = seen[reset];
          assert.ok(resetMessage.type === "session/reset" && resetMessage.file === broken.document.uri.fsPath);
          assert.ok(!seen.slice(reset).some((m) => m.type === "graph/set"), "a graph was sent after the reset");
        });
        assert.equal(controller.snapshot, undefined, "the last model's snapshot is still the shown one");
        assert.equal(await vscode.commands.executeCommand("gradscope.exportGraph", "json", workspaceFile("after-switch.json")), undefined);
        assert.equal(await readText(workspaceFile("after-switch.json")), undefined, "an export of the last model was written");
        assert.equal(await hoverText(chainRule.document.uri, aAt), "", "chain-rule.ts still hovers with numbers of a model not shown");
      },
    },
    {
      name: "a node click keeps focus in the panel; Enter (focusEditor) moves it to the code",
      timeoutMs: 90_000,
      fn: async () => {
        const editor = await showChainRule();
        const d = nodeLabelled("d");
        assert.ok(d, "no node d");
        const dLine = editor.document.positionAt(editor.document.getText().indexOf("const d")).line;
        const panel = await waitFor("the panel", () => api.panel()?.isReady && api.panel());
        // Focus the panel, as a user clicking into it does.
        panel.panel.reveal(panel.panel.viewColumn, false);
        // (VS Code keeps reporting the last text editor as activeTextEditor while a webview has focus.)
        const activeTab = () => vscode.window.tabGroups.activeTabGroup.activeTab;
        const panelFocused = () => panel.panel.active && activeTab()?.input instanceof vscode.TabInputWebview;
        await waitFor("the panel to have focus", panelFocused);

        editor.selection = new vscode.Selection(0, 0, 0, 0);
        const revealed = await api.codeGraph.revealNode(d.index);
        assert.equal(revealed?.selection.active.line, dLine, "the click did not reveal d's line");
        assert.ok(panelFocused(), `a node click moved focus out of the panel (to ${activeTab()?.label})`);

        // The panel's Enter key: the same message with focusEditor.
        api.panelHost.handleViewMessage({ type: "node/reveal", node: d.index, focusEditor: true });
        await waitFor("the editor to have focus after Enter", () => !panel.panel.active && activeTab()?.input instanceof vscode.TabInputText && vscode.window.activeTextEditor?.document.uri.toString() === editor.document.uri.toString());
        const active = (): vscode.TextEditor | undefined => vscode.window.activeTextEditor;
        assert.equal(active()?.selection.active.line, dLine);
      },
    },
  ];
}
