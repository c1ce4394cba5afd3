import * as path from "node:path";
import * as vscode from "vscode";
import { BackwardCodeLens } from "./codeLens";
import { CodeGraphLink } from "./codeGraphLink";
import { registerCommands } from "./commands";
import { ContextKeys } from "./contextKeys";
import { ModelDiagnostics } from "./diagnostics";
import { FindingDiagnostics } from "./findings";
import { GraphExport } from "./graphExport";
import { GraphPanel, type PanelHost } from "./graphPanel";
import { GraphPanels } from "./graphPanels";
import { GradientHovers } from "./hovers";
import { InlineValues } from "./inlineValues";
import { InsightHost } from "./insight";
import { ModelController } from "./modelController";
import { OutputLog } from "./outputLog";
import { LAST_MODEL_KEY, RunControls } from "./runControls";
import { readSettings } from "./settings";
import { StatusBar } from "./statusBar";
import { handleViewMessage } from "./viewMessages";

/** What activate() returns: the extension-host tests drive and observe Gradscope through it. */
export interface GradscopeApi {
  readonly controller: ModelController;
  readonly controls: RunControls;
  readonly codeGraph: CodeGraphLink;
  readonly statusBar: StatusBar;
  readonly contextKeys: ContextKeys;
  readonly inlineValues: InlineValues;
  /** Health findings, breakpoints, gradcheck / what-if / explain (issue 10). */
  readonly insight: InsightHost;
  /** Where the panel's messages go (the panel validates them first: GraphPanel.receive). */
  readonly panelHost: PanelHost;
  panel(): GraphPanel | undefined;
}

/**
 * Activation is cheap on purpose (it happens for every TypeScript file): listeners, providers
 * and commands only. The runner — and the compiler it needs — loads when a model first runs.
 */
export function activate(context: vscode.ExtensionContext): GradscopeApi {
  const track = <T extends vscode.Disposable>(d: T): T => (context.subscriptions.push(d), d);

  const log = track(new OutputLog());
  // dist/runner.js (the model's own process) is built next to dist/extension.js.
  const controller = track(new ModelController(log, path.join(context.extensionPath, "dist", "runner.js")));
  const panelHost: PanelHost = {
    onHostMessage: controller.onHostMessage,
    fullState: () => controller.fullState(),
    coalescedState: () => controller.coalescedState(),
    viewShown: (shown) => controller.setPanelShown(shown),
    handleViewMessage: (message) => handleViewMessage(message, { controller, controls, codeGraph, graphExport, log }),
  };
  const panels = track(new GraphPanels(context.extensionUri, panelHost, log));
  const controls = track(new RunControls(controller, panels, context.workspaceState));
  const graphExport = track(new GraphExport(controller, panels, log));
  const codeGraph = track(new CodeGraphLink(controller));
  const statusBar = track(new StatusBar(controller, panels));
  const contextKeys = track(new ContextKeys(controller, controls, panels));
  const inlineValues = track(new InlineValues(controller));
  track(new ModelDiagnostics(controller));
  const insight = track(new InsightHost(controller, panels, codeGraph, log));
  track(new FindingDiagnostics(controller, insight));
  track(vscode.commands.registerCommand("gradscope.checkGradients", () => insight.checkGradients()));
  track(new GradientHovers(controller));
  track(new BackwardCodeLens(controller));
  for (const d of registerCommands({ context, controls, panels, graphExport, codeGraph, log })) track(d);

  track(
    vscode.workspace.onDidSaveTextDocument((document) => {
      if (!controller.model?.is(document.uri) || !readSettings(document.uri).runOnSave) return;
      void controller.start(document, "running");
    }),
  );

  track(
    vscode.window.registerWebviewPanelSerializer(GraphPanel.viewType, {
      // After a window reload the model's process is gone: bring the panel back and re-run the last model, paused at step 1.
      async deserializeWebviewPanel(webviewPanel: vscode.WebviewPanel) {
        panels.revive(webviewPanel);
        const last = context.workspaceState.get<string>(LAST_MODEL_KEY);
        if (!last || !vscode.workspace.isTrusted || controller.hasSession) return;
        try {
          await controller.start(await vscode.workspace.openTextDocument(vscode.Uri.parse(last)), "paused");
        } catch (err) {
          log.warn(`could not restore the last model ${last}: ${String(err)}`);
        }
      },
    }),
  );

  return { controller, controls, codeGraph, statusBar, contextKeys, inlineValues, insight, panelHost, panel: () => panels.current };
}

export function deactivate(): void {
  // Everything is in context.subscriptions; VS Code disposes it.
}
