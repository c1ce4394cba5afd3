import * as vscode from "vscode";
import { Disposable } from "./disposable";

const IMPORT_OF_GRADSCOPE = /(?:from\s+|import\s*\(\s*|require\s*\(\s*|import\s+)["']gradscope["']/;

/** Whether a model's text imports the gradscope module (which is what makes it a Gradscope model). */
export function importsGradscope(text: string): boolean {
  return IMPORT_OF_GRADSCOPE.test(text);
}

/** Keeps the `gradscope.editorIsModel` context key in step with the active editor (for the editor-title button and `when` clauses). */
export class ModelEditorContext extends Disposable {
  private lastValue: boolean | undefined;
  private pending: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    this.register(vscode.window.onDidChangeActiveTextEditor(() => this.update()));
    this.register(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document !== vscode.window.activeTextEditor?.document) return;
        clearTimeout(this.pending);
        this.pending = setTimeout(() => this.update(), 300);
      }),
    );
    this.register({ dispose: () => clearTimeout(this.pending) });
    this.update();
  }

  private update(): void {
    const document = vscode.window.activeTextEditor?.document;
    // Focus moving to the panel (no active text editor) keeps the last editor's answer.
    if (!document) return;
    const value = isModelLanguage(document) && importsGradscope(document.getText());
    if (value === this.lastValue) return;
    this.lastValue = value;
    void vscode.commands.executeCommand("setContext", "gradscope.editorIsModel", value);
  }
}

export function isModelLanguage(document: vscode.TextDocument): boolean {
  return document.languageId === "typescript" || document.languageId === "javascript";
}
