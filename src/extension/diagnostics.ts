import * as vscode from "vscode";
import type { ModelError } from "../protocol/run";
import { Disposable } from "./disposable";
import { importsGradscope } from "./gradscopeImports";
import type { ModelController, ModelStatus, ModelWarning } from "./modelController";

/**
 * Model errors and warnings as squiggles and Problems entries at the user's line (in the
 * model's document, untitled or not); a new run clears them.
 */
export class ModelDiagnostics extends Disposable {
  private readonly collection = this.register(vscode.languages.createDiagnosticCollection("gradscope"));

  constructor(private readonly controller: ModelController) {
    super();
    this.register(controller.onDidChangeStatus((s) => this.onStatus(s)));
    this.register(controller.onDidWarn((w) => this.add(w.uri, toWarning(w))));
  }

  private onStatus(s: ModelStatus): void {
    if (s.state === "starting") {
      this.collection.clear();
      return;
    }
    const model = this.controller.model;
    if (s.state !== "error" || !s.error || !model) return;
    const uri = s.error.file ? model.uriOf(s.error.file) : model.uri;
    // One error per run: the newest replaces an earlier one at the same place.
    const others = (this.collection.get(uri) ?? []).filter((d) => d.severity !== vscode.DiagnosticSeverity.Error);
    this.collection.set(uri, [...others, toError(s.error)]);
  }

  private add(uri: vscode.Uri, diagnostic: vscode.Diagnostic): void {
    this.collection.set(uri, [...(this.collection.get(uri) ?? []), diagnostic]);
  }
}

function toError(error: ModelError): vscode.Diagnostic {
  const line = Math.max(0, (error.line ?? 1) - 1);
  const column = Math.max(0, (error.column ?? 1) - 1);
  // Without the document at hand, underline to the end of the line; VS Code clamps the range.
  const range = new vscode.Range(line, error.column ? column : 0, line, Number.MAX_SAFE_INTEGER);
  const diagnostic = new vscode.Diagnostic(range, error.message, vscode.DiagnosticSeverity.Error);
  diagnostic.source = `gradscope (${error.kind})`;
  return diagnostic;
}

/** At the line the runner named (the backward() call); without one, at the model's `import … "gradscope"`. */
function toWarning(w: ModelWarning): vscode.Diagnostic {
  const line = w.line !== undefined ? w.line - 1 : importLine(w.uri);
  const diagnostic = new vscode.Diagnostic(new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER), w.message, vscode.DiagnosticSeverity.Warning);
  diagnostic.source = "gradscope";
  return diagnostic;
}

function importLine(uri: vscode.Uri): number {
  const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (!document) return 0;
  for (let i = 0; i < document.lineCount; i++) if (importsGradscope(document.lineAt(i).text)) return i;
  return 0;
}
