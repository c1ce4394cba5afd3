import * as vscode from "vscode";
import { Disposable } from "./disposable";
import { importsGradscope } from "./gradscopeImports";

const BACKWARD_CALL = /\.backward\s*\(/g;

/** `Visualize · Step · Run` above each `.backward()` call in a file that imports gradscope. */
export class BackwardCodeLens extends Disposable implements vscode.CodeLensProvider {
  private readonly changeEmitter = this.register(new vscode.EventEmitter<void>());
  readonly onDidChangeCodeLenses = this.changeEmitter.event;

  constructor() {
    super();
    this.register(vscode.languages.registerCodeLensProvider([{ language: "typescript" }, { language: "javascript" }], this));
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const text = document.getText();
    if (!importsGradscope(text)) return [];
    const lenses: vscode.CodeLens[] = [];
    for (const match of text.matchAll(BACKWARD_CALL)) {
      const line = document.positionAt(match.index ?? 0).line;
      const range = new vscode.Range(line, 0, line, 0);
      const args = [document.uri];
      lenses.push(
        new vscode.CodeLens(range, { title: "$(graph) Visualize", command: "gradscope.visualize", arguments: args, tooltip: "Run this model and show its graph, paused at the first backward()" }),
        new vscode.CodeLens(range, { title: "Step", command: "gradscope.step", arguments: args, tooltip: "Run to the next backward()" }),
        new vscode.CodeLens(range, { title: "Run", command: "gradscope.run", arguments: args, tooltip: "Train until the model ends or you pause" }),
      );
    }
    return lenses;
  }
}
