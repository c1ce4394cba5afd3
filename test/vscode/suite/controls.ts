import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import type { ControlOutcome } from "../../../src/extension/runControls";
import type { SuiteContext } from "./context";
import { codeLensTitles, gradscopeDiagnostics, openInFirstColumn, readText, type TestCase, waitFor, workspaceFile } from "./harness";

/** Issue 7, "one run state, one set of controls": every surface goes through one dispatcher reading one state machine. */
export function controlTests({ api, stateIs, finishChainRule }: SuiteContext): TestCase[] {
  const { controller, controls } = api;

  /** Runs `body` and returns the refusals the dispatcher explained meanwhile. */
  const refusals = async (body: (reasons: string[]) => Promise<unknown>) => {
    const reasons: string[] = [];
    const listening = controls.onDidRefuse((r) => reasons.push(r.reason));
    try {
      await body(reasons);
    } finally {
      listening.dispose();
    }
    return reasons;
  };
  /** The run has not moved: same state, same step (a restart would show "starting" or step 1 paused). */
  const stillFinishedAt = (step: number) => {
    assert.equal(controller.currentStatus.state, "finished", `the run was restarted or changed: ${JSON.stringify(controller.currentStatus)}`);
    assert.equal(controller.currentStatus.step, step);
  };

  return [
    {
      name: "after a run finishes, Step / Run / Run N from the panel and the palette say why, and Restart works",
      timeoutMs: 90_000,
      fn: async () => {
        const editor = await finishChainRule();
        // From the panel: each control is refused with the state machine's reason, and nothing restarts.
        const fromPanel = await refusals(async (reasons) => {
          api.panelHost.handleViewMessage({ type: "control/step" });
          api.panelHost.handleViewMessage({ type: "control/run" });
          api.panelHost.handleViewMessage({ type: "control/runN", n: 3 });
          await waitFor("the panel's three controls to be refused", () => reasons.length === 3);
        });
        for (const reason of fromPanel) assert.equal(reason, "The run has finished: Restart to run it again");
        stillFinishedAt(1);
        // From the palette and the keys (the same commands): the same answer, as the commands' outcome.
        const fromPalette = await refusals(async () => {
          const step = await vscode.commands.executeCommand<ControlOutcome>("gradscope.step");
          assert.deepEqual(step, { acted: false, reason: "The run has finished: Restart to run it again" });
          const run = await vscode.commands.executeCommand<ControlOutcome>("gradscope.run");
          assert.equal(run.acted, false);
          const runN = await vscode.commands.executeCommand<ControlOutcome>("gradscope.runN", 3);
          assert.equal(runN.acted, false);
        });
        assert.equal(fromPalette.length, 3, `refusals: ${JSON.stringify(fromPalette)}`);
        stillFinishedAt(1);
        // After *finished*, Restart is the primary control everywhere.
        assert.deepEqual(await codeLensTitles(editor.document.uri), ["Restart"]);
        await waitFor("the status bar to offer Restart", () => /Click to restart/.test(api.statusBar.shown.tooltip) && api.statusBar.shown.command === "gradscope.restart");
        api.panelHost.handleViewMessage({ type: "control/restart" });
        await waitFor("paused at step 1 after Restart", () => controller.currentStatus.state === "paused" && controller.currentStatus.step === 1);
        assert.deepEqual(await codeLensTitles(editor.document.uri), ["Step", "Run", "Restart"]);
      },
    },
    {
      name: "Step / Run never start a file that is not a model (README.md, a script with side effects)",
      timeoutMs: 90_000,
      fn: async () => {
        await finishChainRule();
        const readme = workspaceFile("README.md");
        await vscode.workspace.fs.writeFile(readme, new TextEncoder().encode("# Notes\n\nNot a model.\n"));
        await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(readme), { viewColumn: vscode.ViewColumn.One });
        // With the session's run over, Step from README.md acts on the session's model: it says why it cannot.
        const fromReadme = await vscode.commands.executeCommand<ControlOutcome>("gradscope.step");
        assert.equal(fromReadme.acted, false, JSON.stringify(fromReadme));
        assert.equal(gradscopeDiagnostics(readme).length, 0, "README.md got a Gradscope diagnostic: it was run");
        stillFinishedAt(1);

        const script = await openInFirstColumn("side-effects.ts");
        const marker = workspaceFile("side-effects-ran.txt");
        for (const command of ["gradscope.step", "gradscope.run", "gradscope.toggleRun"]) {
          const outcome = await vscode.commands.executeCommand<ControlOutcome>(command);
          assert.equal(outcome.acted, false, `${command} acted: ${JSON.stringify(outcome)}`);
        }
        // Named explicitly (as a CodeLens or menu would), it is refused for what it is.
        const named = await vscode.commands.executeCommand<ControlOutcome>("gradscope.step", script.document.uri);
        assert.ok(!named.acted && /does not import "gradscope"/.test(named.reason), JSON.stringify(named));
        stillFinishedAt(1);
        assert.equal(await readText(marker), undefined, "side-effects.ts was run");
      },
    },
    {
      name: "the step and run/pause keys are bound only where they can act (context keys follow the state)",
      timeoutMs: 90_000,
      fn: async () => {
        const keybindings = vscode.extensions.getExtension("gradscope.gradscope")!.packageJSON.contributes.keybindings as { command: string; when: string }[];
        assert.match(keybindings.find((k) => k.command === "gradscope.step")!.when, /^gradscope\.canStep && /);
        assert.match(keybindings.find((k) => k.command === "gradscope.toggleRun")!.when, /^gradscope\.canToggleRun && /);
        const keys = () => api.contextKeys.current;

        const editor = await finishChainRule();
        await waitFor("the keys off for the finished run", () => keys()["gradscope.canStep"] === false && keys()["gradscope.canToggleRun"] === false);
        assert.equal(keys()["gradscope.sessionActive"], false, "gradscope.sessionActive is still set after the run ended");
        assert.equal(keys()["gradscope.hasSession"], true);
        assert.equal(keys()["gradscope.runState"], "finished");

        // Another model in the editor: Step would start it, so the key is on there.
        await openInFirstColumn("coffee-shop.ts");
        await waitFor("the Step key on for another model", () => keys()["gradscope.canStep"] === true);
        // A file that is not a model: the finished session cannot step, so the key is off.
        await openInFirstColumn("side-effects.ts");
        await waitFor("the Step key off for a non-model", () => keys()["gradscope.canStep"] === false);

        await vscode.window.showTextDocument(editor.document, { viewColumn: vscode.ViewColumn.One });
        await vscode.commands.executeCommand("gradscope.restart");
        await waitFor("paused with the keys on", () => controller.currentStatus.state === "paused" && keys()["gradscope.canStep"] === true && keys()["gradscope.sessionActive"] === true);
      },
    },
    {
      name: "the CodeLens and the status bar show the run's state (Pause while running, Step when paused)",
      timeoutMs: 90_000,
      fn: async () => {
        const editor = await openInFirstColumn("train-line.ts");
        const uri = editor.document.uri;
        await vscode.commands.executeCommand("gradscope.visualize", uri);
        await waitFor("paused at step 1", () => controller.currentStatus.state === "paused" && controller.currentStatus.step === 1);
        assert.deepEqual(await codeLensTitles(uri), ["Step", "Run", "Restart"]);
        await waitFor("the status bar tooltip for paused", () => /Click to run on/.test(api.statusBar.shown.tooltip));
        // The CodeLens Step continues this run (it does not start it again).
        await vscode.commands.executeCommand("gradscope.step", uri);
        await waitFor("step 2 from the CodeLens", () => controller.currentStatus.state === "paused" && controller.currentStatus.step === 2);
        await vscode.commands.executeCommand("gradscope.run", uri);
        const running = await waitFor("running or finished", stateIs("running", "finished"));
        if (running.state === "running") {
          const titles = await codeLensTitles(uri);
          if (controller.currentStatus.state === "running") assert.deepEqual(titles, ["Pause", "Stop"]);
          if (controller.currentStatus.state === "running") assert.match(api.statusBar.shown.tooltip, /Click to pause/);
        }
        await vscode.commands.executeCommand("gradscope.stop");
        await waitFor("ended", stateIs("stopped", "finished"));
        assert.deepEqual(await codeLensTitles(uri), ["Restart"]);
      },
    },
  ];
}
