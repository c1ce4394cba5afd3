import * as vscode from "vscode";
import type { Break, Finding } from "../protocol/health";
import { Disposable } from "./disposable";
import type { InsightHost } from "./insight";
import type { ModelController } from "./modelController";

/**
 * Health findings and training breakpoints as warnings at the user's line
 * (`gradscope-health` in Problems): one per finding, cleared when a run starts
 * or restarts. Findings without a line stay in the panel's Health view only.
 */
export class FindingDiagnostics extends Disposable {
  private readonly collection = this.register(vscode.languages.createDiagnosticCollection("gradscope-health"));

  constructor(private readonly controller: ModelController, insight: InsightHost) {
    super();
    // not-zeroed is already the run's model/warning diagnostic (src/extension/diagnostics.ts): one squiggle, not two.
    this.register(insight.onDidFind((f) => f.kind !== "not-zeroed" && this.add(f.location, `${f.label}: ${f.detail} (step ${f.step})`, `gradscope (${f.kind})`)));
    this.register(insight.onDidBreak((b) => this.add(b.location, `Paused at a training breakpoint: ${b.message} (step ${b.step})`, `gradscope (breakpoint: ${b.kind})`)));
    this.register(insight.onDidReset(() => this.collection.clear()));
  }

  private add(location: Finding["location"] | Break["location"], message: string, source: string): void {
    const model = this.controller.model;
    if (!location || !model) return;
    const uri = model.uriOf(location.file);
    const line = location.line - 1;
    const d = new vscode.Diagnostic(new vscode.Range(line, Math.max(0, location.column - 1), line, Number.MAX_SAFE_INTEGER), message, vscode.DiagnosticSeverity.Warning);
    d.source = source;
    const existing = this.collection.get(uri) ?? [];
    if (existing.some((e) => e.message === message && e.range.start.line === line)) return;
    this.collection.set(uri, [...existing, d]);
  }
}
