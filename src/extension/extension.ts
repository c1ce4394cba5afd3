import * as path from "node:path";
import * as vscode from "vscode";
import { BackwardCodeLens } from "./codeLens";
import { CodeGraphLink } from "./codeGraphLink";
import { LAST_MODEL_KEY, registerCommands } from "./commands";
import { ModelDiagnostics } from "./diagnostics";
import { ModelEditorContext } from "./gradscopeImports";
import { GraphExport } from "./graphExport";
import { GraphPanel } from "./graphPanel";
import { GradientHovers } from "./hovers";
import { InlineValues } from "./inlineValues";
import { ModelController } from "./modelController";
import { OutputLog } from "./outputLog";
import { readSettings } from "./settings";
import { StatusBar } from "./statusBar";

/** What activate() returns: the extension-host tests drive and observe Gradscope through it. */
export interface GradscopeApi {
  readonly controller: ModelController;
  readonly codeGraph: CodeGraphLink;
  panel(): GraphPanel | undefined;
}

export function activate(context: vscode.ExtensionContext): GradscopeApi {
  const track = <T extends vscode.Disposable>(d: T): T => (context.subscriptions.push(d), d);

  const log = track(new OutputLog());
  // dist/worker.js is built next to dist/extension.js.
  const controller = track(new ModelController(log, path.join(context.extensionPath, "dist", "worker.js")));
  const graphExport = track(new GraphExport(controller, log));
  const codeGraph = track(new CodeGraphLink(controller));
  track(new StatusBar(controller));
  track(new ModelDiagnostics(controller));
  track(new InlineValues(controller));
  track(new GradientHovers(controller));
  track(new BackwardCodeLens());
  track(new ModelEditorContext());
  for (const d of registerCommands({ context, controller, graphExport, codeGraph, log })) track(d);

  track(
    controller.onDidChangeStatus((s) => {
      void vscode.commands.executeCommand("setContext", "gradscope.sessionActive", controller.hasSession);
      void vscode.commands.executeCommand("setContext", "gradscope.running", s.state === "running");
    }),
  );

  track(
    vscode.workspace.onDidSaveTextDocument((document) => {
      const file = controller.currentStatus.file;
      if (!readSettings().runOnSave || !file || path.normalize(document.uri.fsPath) !== path.normalize(file)) return;
      void controller.start(document, "running");
    }),
  );

  track(
    vscode.window.registerWebviewPanelSerializer(GraphPanel.viewType, {
      // After a window reload the worker is gone: bring the panel back and re-run the last model, paused at step 1.
      async deserializeWebviewPanel(panel: vscode.WebviewPanel) {
        GraphPanel.revive(panel, context.extensionUri, controller, log);
        const last = context.workspaceState.get<string>(LAST_MODEL_KEY);
        if (!last || !vscode.workspace.isTrusted) return;
        try {
          await controller.start(await vscode.workspace.openTextDocument(vscode.Uri.parse(last)), "paused");
        } catch (err) {
          log.warn(`could not restore the last model ${last}: ${String(err)}`);
        }
      },
    }),
  );
  track({ dispose: () => GraphPanel.instance?.dispose() });

  return { controller, codeGraph, panel: () => GraphPanel.instance };
}

export function deactivate(): void {
  // Everything is in context.subscriptions; VS Code disposes it.
}
