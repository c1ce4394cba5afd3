import * as path from "node:path";
import * as vscode from "vscode";
import type { CodeGraphLink } from "./codeGraphLink";
import { newModelFromExample } from "./exampleScaffold";
import { importsGradscope, isModelLanguage } from "./gradscopeImports";
import { GraphPanel } from "./graphPanel";
import type { ExportFormat, GraphExport } from "./graphExport";
import type { ModelController, StartMode, StartOutcome } from "./modelController";
import type { OutputLog } from "./outputLog";

/** States after which Step/Run start the model again rather than poke a finished session. */
const ENDED = new Set(["idle", "finished", "stopped", "error"]);

export const LAST_MODEL_KEY = "gradscope.lastModel";

export interface CommandDeps {
  context: vscode.ExtensionContext;
  controller: ModelController;
  graphExport: GraphExport;
  codeGraph: CodeGraphLink;
  log: OutputLog;
}

/** Registers every `gradscope.*` command. Each returns something useful to scripts and tests. */
export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const { context, controller, graphExport, log } = deps;

  /** Shows the panel and runs the model in `uri` (or the active editor), saved or not. */
  async function startModel(mode: StartMode, uri?: vscode.Uri): Promise<StartOutcome> {
    const document = uri ? await vscode.workspace.openTextDocument(uri) : modelInView();
    if (!document) {
      void vscode.window.showInformationMessage("Gradscope: open a TypeScript model (one that imports \"gradscope\") to visualize it.");
      return { started: false, reason: "no-editor" };
    }
    if (!vscode.workspace.isTrusted) return controller.start(document, mode); // explains and refuses
    GraphPanel.createOrShow(context.extensionUri, controller, log);
    if (document.uri.scheme === "file") void context.workspaceState.update(LAST_MODEL_KEY, document.uri.toString());
    return controller.start(document, mode);
  }

  /** True when `uri` (if given) is the model already loaded and its run can go on. */
  function continuesCurrentRun(uri?: vscode.Uri): boolean {
    const status = controller.currentStatus;
    if (!controller.hasSession || ENDED.has(status.state)) return false;
    return !uri || (!!status.file && path.normalize(uri.fsPath) === path.normalize(status.file));
  }

  const commands: Record<string, (...args: any[]) => unknown> = {
    "gradscope.visualize": (uri?: vscode.Uri) => startModel("paused", asUri(uri)),
    "gradscope.step": async (uri?: vscode.Uri) => {
      if (continuesCurrentRun(asUri(uri))) return controller.step();
      await startModel("paused", asUri(uri) ?? currentModelUri(controller));
    },
    "gradscope.run": async (uri?: vscode.Uri) => {
      if (continuesCurrentRun(asUri(uri))) return controller.run();
      await startModel("running", asUri(uri) ?? currentModelUri(controller));
    },
    "gradscope.pause": () => controller.pause(),
    "gradscope.toggleRun": async () => {
      if (continuesCurrentRun()) return controller.toggleRun();
      await startModel("running", currentModelUri(controller));
    },
    "gradscope.stop": () => controller.stop(),
    "gradscope.restart": () => controller.restart(),
    "gradscope.runN": async (n?: number) => {
      const steps = typeof n === "number" ? n : await askStepCount();
      if (!steps) return;
      if (!continuesCurrentRun()) await startModel("paused", currentModelUri(controller));
      controller.runSteps(steps);
    },
    "gradscope.exportGraph": (format?: ExportFormat, target?: vscode.Uri) => graphExport.run(format, target),
    "gradscope.newFromExample": (name?: string, folder?: vscode.Uri) => newModelFromExample(context.extensionUri, name, folder),
    "gradscope.showOutput": () => log.show(),
  };
  return Object.entries(commands).map(([id, handler]) => vscode.commands.registerCommand(id, handler));
}

/**
 * The model a command without a file means: the active editor, else (the panel has focus) a visible
 * editor that imports gradscope.
 */
function modelInView(): vscode.TextDocument | undefined {
  const active = vscode.window.activeTextEditor?.document;
  if (active) return active;
  return vscode.window.visibleTextEditors.map((e) => e.document).find((d) => isModelLanguage(d) && importsGradscope(d.getText()));
}

/** Commands from menus get the resource Uri; from keybindings, nothing useful. */
function asUri(arg: unknown): vscode.Uri | undefined {
  return arg instanceof vscode.Uri ? arg : undefined;
}

/** The model to (re)start when no file was named: the active model editor, else the last model run. */
function currentModelUri(controller: ModelController): vscode.Uri | undefined {
  if (vscode.window.activeTextEditor) return undefined; // startModel uses the active editor
  const file = controller.currentStatus.file;
  return file ? vscode.Uri.file(file) : undefined;
}

async function askStepCount(): Promise<number | undefined> {
  const answer = await vscode.window.showInputBox({
    title: "Run N Steps",
    prompt: "How many backward() steps to run",
    value: "10",
    validateInput: (v) => (/^\s*[1-9]\d{0,8}\s*$/.test(v) ? undefined : "A whole number from 1"),
  });
  return answer ? Number(answer.trim()) : undefined;
}
