import * as vscode from "vscode";
import { isEnded, type RunState } from "../protocol/run";
import { Disposable } from "./disposable";
import { importsGradscope } from "./gradscopeImports";
import type { ModelController } from "./modelController";

const BACKWARD_CALL = /\.backward\s*\(/g;

type Lens = { title: string; command: string; tooltip: string };

/**
 * Above each `.backward()` call in a file that imports gradscope: the controls that can act on
 * this model now — Visualize · Step · Run for a model not loaded, Step · Run · Restart when
 * paused, Pause · Stop while running, Restart once the run is over.
 */
export class BackwardCodeLens extends Disposable implements vscode.CodeLensProvider {
  private readonly changeEmitter = this.register(new vscode.EventEmitter<void>());
  readonly onDidChangeCodeLenses = this.changeEmitter.event;
  private shown: { state: RunState; model?: string } = { state: "idle" };

  constructor(private readonly controller: ModelController) {
    super();
    this.register(vscode.languages.registerCodeLensProvider([{ language: "typescript" }, { language: "javascript" }], this));
    // Only state or model changes change the lenses; every step would make them flicker.
    this.register(
      controller.onDidChangeStatus((s) => {
        const model = controller.model?.uri.toString();
        if (s.state === this.shown.state && model === this.shown.model) return;
        this.shown = { state: s.state, model };
        this.changeEmitter.fire();
      }),
    );
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const text = document.getText();
    if (!importsGradscope(text)) return [];
    const lenses = this.lensesFor(document.uri);
    const out: vscode.CodeLens[] = [];
    for (const match of text.matchAll(BACKWARD_CALL)) {
      const line = document.positionAt(match.index ?? 0).line;
      const range = new vscode.Range(line, 0, line, 0);
      for (const l of lenses) out.push(new vscode.CodeLens(range, { title: l.title, command: l.command, tooltip: l.tooltip, arguments: [document.uri] }));
    }
    return out;
  }

  private lensesFor(uri: vscode.Uri): Lens[] {
    const s = this.controller.currentStatus;
    if (!this.controller.model?.is(uri)) {
      return [
        { title: "$(graph) Visualize", command: "gradscope.visualize", tooltip: "Run this model and show its graph, paused at the first backward()" },
        { title: "Step", command: "gradscope.step", tooltip: "Run this model to its first backward()" },
        { title: "Run", command: "gradscope.run", tooltip: "Run this model until it ends or you pause" },
      ];
    }
    if (isEnded(s.state)) {
      const how = s.state === "error" ? "ended with an error" : s.state === "stopped" ? "was stopped" : "finished";
      return [{ title: `$(debug-restart) Restart`, command: "gradscope.restart", tooltip: `The run ${how} at step ${s.step}: run the model again from the top` }];
    }
    if (s.state === "running") {
      return [
        { title: "$(debug-pause) Pause", command: "gradscope.pause", tooltip: "Pause at the next backward()" },
        { title: "$(debug-stop) Stop", command: "gradscope.stop", tooltip: "End the run" },
      ];
    }
    if (s.state === "starting") return [{ title: "$(sync~spin) Starting…", command: "gradscope.showGraph", tooltip: "The model is compiling and starting: show the graph" }];
    return [
      { title: "$(debug-step-over) Step", command: "gradscope.step", tooltip: `Paused at step ${s.step}: run to the next backward()` },
      { title: "$(debug-continue) Run", command: "gradscope.run", tooltip: "Train until the model ends or you pause" },
      { title: "$(debug-restart) Restart", command: "gradscope.restart", tooltip: "Run the model again from the top" },
    ];
  }
}
