import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import { readHealthSpec } from "../../../src/extension/insightSettings";
import type { SuiteContext } from "./context";
import { gradscopeDiagnostics, openInFirstColumn, type TestCase, waitFor } from "./harness";

/** Issue 10 in the editor: findings as diagnostics at their line, a breakpoint revealing node and line, Check Gradients. */
export function insightTests({ api, stateIs, showChainRule, nodeLabelled }: SuiteContext): TestCase[] {
  const { controller, insight } = api;
  const health = (uri: vscode.Uri) => gradscopeDiagnostics(uri).filter((d) => d.source?.startsWith("gradscope (nan-origin") || d.source?.startsWith("gradscope (breakpoint"));

  return [
    {
      name: "insight: nan-hunt.ts pauses at log of 0 — the runner's nan-origin finding and breakpoint become a Health line, a warning at the line, and the revealed line; a restart clears them",
      timeoutMs: 120_000,
      fn: async () => {
        const editor = await openInFirstColumn("nan-hunt.ts");
        const barrierLine = editor.document.positionAt(editor.document.getText().indexOf("const barrier =")).line;
        await vscode.commands.executeCommand("gradscope.run", editor.document.uri);
        const hit = (await waitFor("the nan breakpoint", () => insight.currentBreak))!;
        assert.equal(hit.kind, "nan");
        assert.equal(hit.location?.line, barrierLine + 1);
        await waitFor("the run paused there", stateIs("paused"));
        const finding = await waitFor("a nan-origin finding", () => insight.currentFindings.find((f) => f.kind === "nan-origin"));
        assert.equal(finding.op, "log");
        assert.equal(finding.location?.line, barrierLine + 1);
        const d = await waitFor("a health diagnostic at the barrier line", () => health(editor.document.uri).find((x) => x.range.start.line === barrierLine));
        assert.equal(d.severity, vscode.DiagnosticSeverity.Warning);
        await waitFor("the barrier line revealed", () => vscode.window.visibleTextEditors.some((e) => e.document.uri.toString() === editor.document.uri.toString() && e.selection.active.line === barrierLine));
        // A restart clears them (the new run then finds the same NaN once, not twice).
        let cleared = 0;
        const listening = insight.onDidReset(() => { cleared++; assert.equal(health(editor.document.uri).length, 0); });
        try {
          await vscode.commands.executeCommand("gradscope.restart");
          await waitFor("findings cleared by the restart", () => cleared > 0);
          await waitFor("the same finding again", () => insight.currentBreak !== null);
          assert.equal(insight.currentFindings.filter((f) => f.kind === "nan-origin").length, 1);
        } finally {
          listening.dispose();
        }
        await vscode.commands.executeCommand("gradscope.stop");
      },
    },
    {
      name: "insight: the panel's breakpoint toggle reaches the running model — with NaN pauses off, nan-hunt.ts runs to its end",
      timeoutMs: 120_000,
      fn: async () => {
        const editor = await openInFirstColumn("nan-hunt.ts");
        await vscode.commands.executeCommand("gradscope.visualize", editor.document.uri);
        await waitFor("paused at the first backward()", () => stateIs("paused")() && controller.currentStatus.step >= 1);
        assert.equal(insight.currentBreakOn.nan, true, "settings: pause on NaN by default");
        // What the panel's checkbox posts (validated like any panel message).
        insight.receive({ type: "insight/breakOn", breakOn: { nan: false, findings: [] } });
        assert.equal(insight.currentBreakOn.nan, false);
        await vscode.commands.executeCommand("gradscope.run", editor.document.uri);
        await waitFor("the model to finish", stateIs("finished"));
        assert.equal(insight.currentBreak, null);
        assert.ok(controller.currentStatus.step >= 12, `ran to step ${controller.currentStatus.step}`);
        assert.ok(insight.currentFindings.some((f) => f.kind === "nan-origin"), "the finding is still reported");
      },
    },
    {
      name: "insight: a training breakpoint reveals its node's line in the editor and leaves a diagnostic there",
      timeoutMs: 90_000,
      fn: async () => {
        const editor = await showChainRule();
        const c = nodeLabelled("c")!;
        const line = editor.document.positionAt(editor.document.getText().indexOf("a.mul(b)")).line;
        await vscode.commands.executeCommand("workbench.action.focusSecondEditorGroup");
        const shown = await insight.pauseAt({ kind: "grad-above", step: 1, node: c.index, message: "|grad| 14 above 10", location: { file: editor.document.uri.fsPath, line: line + 1, column: 11 } });
        assert.ok(shown, "no editor revealed");
        assert.equal(shown.document.uri.toString(), editor.document.uri.toString());
        assert.equal(shown.selection.active.line, line);
        assert.equal(insight.currentBreak?.kind, "grad-above");
        const d = await waitFor("a breakpoint diagnostic", () => health(editor.document.uri).find((x) => /training breakpoint/.test(x.message)));
        assert.equal(d.range.start.line, line);
      },
    },
    {
      name: "insight: Check Gradients replays the step shown — chain-rule's a and b match central differences",
      timeoutMs: 90_000,
      fn: async () => {
        await showChainRule();
        await waitFor("chain-rule paused", stateIs("paused", "finished"));
        const rows = (await vscode.commands.executeCommand("gradscope.checkGradients")) as { label: string; analytic: number; numeric: number; flagged: boolean }[];
        assert.ok(rows, "no rows");
        const byLabel = Object.fromEntries(rows.map((r) => [r.label, r]));
        assert.equal(byLabel.a.analytic, 42);
        assert.equal(byLabel.b.analytic, 28);
        assert.ok(Math.abs(byLabel.a.numeric - 42) < 1e-5, String(byLabel.a.numeric));
        assert.ok(rows.every((r) => !r.flagged));
        assert.ok(api.panel()?.isReady, "the panel shows the table");
      },
    },
    {
      name: "insight: breakpoint and health settings are read from gradscope.breakOn.* / gradscope.health.*",
      fn: async () => {
        const c = vscode.workspace.getConfiguration("gradscope");
        assert.deepEqual(readHealthSpec().breakOn, { nan: true, findings: [] });
        await c.update("breakOn.lossUpPercent", 50, vscode.ConfigurationTarget.Workspace);
        await c.update("health.deadReluSteps", 4, vscode.ConfigurationTarget.Workspace);
        try {
          const s = readHealthSpec();
          assert.equal(s.breakOn?.lossUpPct, 50);
          assert.equal(s.options?.deadReluSteps, 4);
        } finally {
          await c.update("breakOn.lossUpPercent", undefined, vscode.ConfigurationTarget.Workspace);
          await c.update("health.deadReluSteps", undefined, vscode.ConfigurationTarget.Workspace);
        }
        void controller;
      },
    },
  ];
}
