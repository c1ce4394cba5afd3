import * as vscode from "vscode";
import type { ModelError } from "../protocol/run";
import { Disposable } from "./disposable";
import type { ModelController, ModelStatus } from "./modelController";
import { absoluteLocationFile } from "./sourceFiles";

/** Model errors as squiggles and Problems entries at the user's line; a new run clears them. */
export class ModelDiagnostics extends Disposable {
  private readonly collection = this.register(vscode.languages.createDiagnosticCollection("gradscope"));

  constructor(controller: ModelController) {
    super();
    this.register(controller.onDidChangeStatus((s) => this.update(s)));
  }

  private update(s: ModelStatus): void {
    if (s.state === "starting") {
      this.collection.clear();
      return;
    }
    if (s.state !== "error" || !s.error || !s.file) return;
    const file = s.error.file ? absoluteLocationFile(s.error.file, s.file) : s.file;
    this.collection.set(vscode.Uri.file(file), [toDiagnostic(s.error)]);
  }
}

function toDiagnostic(error: ModelError): vscode.Diagnostic {
  const line = Math.max(0, (error.line ?? 1) - 1);
  const column = Math.max(0, (error.column ?? 1) - 1);
  // Without the document at hand, underline to the end of the line; VS Code clamps the range.
  const range = new vscode.Range(line, error.column ? column : 0, line, Number.MAX_SAFE_INTEGER);
  const diagnostic = new vscode.Diagnostic(range, error.message, vscode.DiagnosticSeverity.Error);
  diagnostic.source = `gradscope (${error.kind})`;
  return diagnostic;
}
