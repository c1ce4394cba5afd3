import * as vscode from "vscode";
import type { Snapshot } from "../protocol/graph";
import { Disposable } from "./disposable";
import type { ModelController } from "./modelController";
import type { ModelDocument } from "./modelDocument";
import { affectsGradscope, readSettings } from "./settings";
import { formatNumber } from "../graph/format";
import { isLeafWorthShowing, nodeValueText } from "./valueText";

/** More leaves than this on one line (e.g. `new MLP(...)`) are summarised instead of listed. */
const MAX_LISTED_PER_LINE = 2;
/** Inline values refresh at most this often while a model runs. */
const RUNNING_MS = 100;

/** `a = 2 · ∂loss/∂a = 42` after the lines that create leaves and parameters, updated as training steps. */
export class InlineValues extends Disposable {
  private readonly decoration = this.register(
    vscode.window.createTextEditorDecorationType({
      after: { color: new vscode.ThemeColor("editorCodeLens.foreground"), fontStyle: "italic", margin: "0 0 0 2em" },
      rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
    }),
  );

  constructor(private readonly controller: ModelController) {
    super();
    this.register(controller.onDidChangeGraph(() => this.renderSoon()));
    this.register({ dispose: () => clearTimeout(this.timer) });
    this.register(controller.onDidChangeStatus((s) => s.state === "starting" && this.renderAll()));
    this.register(vscode.window.onDidChangeVisibleTextEditors(() => this.renderAll()));
    this.register(vscode.workspace.onDidChangeConfiguration((e) => affectsGradscope(e, undefined, "inlineValues") && this.renderAll()));
  }

  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Which nodes each line shows depends on the shape only: found once per shape and document, not per step (moons: 65k nodes). */
  private lines: { hash: string; model: string; byDocument: Map<string, Map<number, number[]>> } | undefined;

  /** While training runs, at most every RUNNING_MS (the editor re-renders its decorations each time); at once otherwise. */
  private renderSoon(): void {
    if (this.controller.currentStatus.state !== "running") {
      clearTimeout(this.timer);
      this.timer = undefined;
      return this.renderAll();
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.renderAll();
    }, RUNNING_MS);
  }

  private renderAll(): void {
    for (const editor of vscode.window.visibleTextEditors) editor.setDecorations(this.decoration, this.decorationsFor(editor.document));
  }

  /** The texts shown after the lines of this document (tests read them). */
  textsFor(document: vscode.TextDocument): string[] {
    return this.decorationsFor(document).map((d) => d.renderOptions?.after?.contentText ?? "");
  }

  private decorationsFor(document: vscode.TextDocument): vscode.DecorationOptions[] {
    const snapshot = this.controller.snapshot;
    const model = this.controller.model;
    if (!snapshot || !model || this.controller.currentStatus.state === "starting") return [];
    // Per resource: a folder of a multi-root workspace may turn them off for its own files.
    if (!readSettings(document.uri).inlineValues) return [];
    const hash = snapshot.topology.hash, modelKey = model.uri.toString(), key = document.uri.toString();
    if (this.lines?.hash !== hash || this.lines.model !== modelKey) this.lines = { hash, model: modelKey, byDocument: new Map() };
    let byLine = this.lines.byDocument.get(key);
    if (!byLine) this.lines.byDocument.set(key, (byLine = leavesByLine(snapshot, model, document.uri)));
    return [...byLine].flatMap(([line, nodes]) => {
      if (line < 1 || line > document.lineCount) return [];
      const end = document.lineAt(line - 1).range.end;
      return [{ range: new vscode.Range(end, end), renderOptions: { after: { contentText: lineText(snapshot, nodes) } } }];
    });
  }
}

function leavesByLine(s: Snapshot, model: ModelDocument, document: vscode.Uri): Map<number, number[]> {
  const byLine = new Map<number, number[]>();
  const { loc, locations } = s.topology;
  const inThisFile = locations.map((l) => model.locationIn(l.file, document));
  if (!inThisFile.includes(true)) return byLine;
  for (let node = 0; node < loc.length; node++) {
    const at = loc[node];
    if (at < 0 || !inThisFile[at] || !isLeafWorthShowing(s, node)) continue;
    const line = locations[at].line;
    const nodes = byLine.get(line);
    if (nodes) nodes.push(node);
    else byLine.set(line, [node]);
  }
  return byLine;
}

function lineText(s: Snapshot, nodes: number[]): string {
  if (nodes.length <= MAX_LISTED_PER_LINE) return nodes.map((n) => nodeValueText(s, n)).join("   ");
  let sumAbsGrad = 0;
  for (const n of nodes) sumAbsGrad += Math.abs(s.values.grad[n]);
  return `${nodes.length} parameters · mean |∂loss/∂θ| = ${formatNumber(sumAbsGrad / nodes.length)}`;
}
