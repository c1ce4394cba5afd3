import * as vscode from "vscode";
import type { CodeGraphLink } from "./codeGraphLink";
import { newModelFromExample } from "./exampleScaffold";
import type { GraphExport } from "./graphExport";
import type { GraphPanels } from "./graphPanels";
import type { OutputLog } from "./outputLog";
import type { ControlOrigin, RunControls } from "./runControls";

export interface CommandDeps {
  context: vscode.ExtensionContext;
  controls: RunControls;
  panels: GraphPanels;
  graphExport: GraphExport;
  codeGraph: CodeGraphLink;
  log: OutputLog;
}

/**
 * Registers every `gradscope.*` command. The run controls all go through the one dispatcher
 * (RunControls); each command returns its outcome, for scripts and tests.
 */
export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const { context, controls, panels, graphExport, log } = deps;
  // Commands from menus and CodeLens get the document's Uri; from keybindings and the palette, nothing useful.
  const named = (arg: unknown) => (arg instanceof vscode.Uri ? arg : undefined);
  const origin = (arg: unknown): ControlOrigin => (arg instanceof vscode.Uri ? "codeLens" : "command");

  const commands: Record<string, (...args: any[]) => unknown> = {
    "gradscope.visualize": (uri?: unknown) => controls.visualize(named(uri)),
    "gradscope.step": (uri?: unknown) => controls.perform("step", { origin: origin(uri), uri: named(uri) }),
    "gradscope.run": (uri?: unknown) => controls.perform("run", { origin: origin(uri), uri: named(uri) }),
    "gradscope.pause": () => controls.perform("pause", { origin: "command" }),
    "gradscope.toggleRun": (uri?: unknown) => controls.perform("toggle", { origin: origin(uri), uri: named(uri) }),
    "gradscope.stop": () => controls.perform("stop", { origin: "command" }),
    "gradscope.restart": () => controls.perform("restart", { origin: "command" }),
    "gradscope.runN": (n?: unknown) => controls.perform("runN", { origin: "command", n: typeof n === "number" ? n : undefined }),
    "gradscope.showGraph": async () => {
      const panel = panels.show();
      await panel.whenReady();
      return true;
    },
    "gradscope.exportGraph": (format?: unknown, target?: unknown) => graphExport.run(typeof format === "string" ? format : undefined, named(target)),
    "gradscope.newFromExample": (name?: string, folder?: vscode.Uri) => newModelFromExample(context.extensionUri, name, folder),
    "gradscope.showOutput": () => log.show(),
  };
  return Object.entries(commands).map(([id, handler]) => vscode.commands.registerCommand(id, handler));
}
