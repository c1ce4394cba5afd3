import * as vscode from "vscode";
import { Disposable } from "./disposable";
import type { ModelController } from "./modelController";
import { absoluteLocationFile, isSameFile } from "./sourceFiles";

const HIGHLIGHT_MS = 1500;
const CURSOR_DEBOUNCE_MS = 120;

/**
 * Code ↔ graph: a node clicked in the panel reveals and briefly highlights the line that created it;
 * the editor's cursor line highlights that line's nodes in the panel.
 */
export class CodeGraphLink extends Disposable {
  private readonly lineHighlight = this.register(
    vscode.window.createTextEditorDecorationType({
      isWholeLine: true,
      backgroundColor: new vscode.ThemeColor("editor.findMatchHighlightBackground"),
    }),
  );
  private clearHighlight: ReturnType<typeof setTimeout> | undefined;
  private cursorTimer: ReturnType<typeof setTimeout> | undefined;
  private lastHighlighted = "";

  constructor(private readonly controller: ModelController) {
    super();
    this.register(controller.onDidRequestReveal((node) => void this.revealNode(node)));
    this.register(vscode.window.onDidChangeTextEditorSelection((e) => this.onCursorMoved(e.textEditor)));
    this.register(controller.onDidChangeGraph(() => this.lastHighlighted = ""));
    this.register({ dispose: () => (clearTimeout(this.clearHighlight), clearTimeout(this.cursorTimer)) });
  }

  /** Opens the model at the node's creating line; returns the editor (tests check its selection). */
  async revealNode(node: number): Promise<vscode.TextEditor | undefined> {
    const snapshot = this.controller.snapshot;
    const modelFile = this.controller.currentStatus.file;
    const at = snapshot?.topology.loc[node] ?? -1;
    if (!snapshot || !modelFile || at < 0) return undefined;
    const location = snapshot.topology.locations[at];
    const uri = vscode.Uri.file(absoluteLocationFile(location.file, modelFile));
    const position = new vscode.Position(location.line - 1, location.column - 1);
    // Open next to the panel, not on top of it.
    const column = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString())?.viewColumn ?? vscode.ViewColumn.One;
    const editor = await vscode.window.showTextDocument(uri, { viewColumn: column, selection: new vscode.Range(position, position), preserveFocus: false });
    editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    editor.setDecorations(this.lineHighlight, [new vscode.Range(position, position)]);
    clearTimeout(this.clearHighlight);
    this.clearHighlight = setTimeout(() => editor.setDecorations(this.lineHighlight, []), HIGHLIGHT_MS);
    return editor;
  }

  private onCursorMoved(editor: vscode.TextEditor): void {
    const modelFile = this.controller.currentStatus.file;
    if (!modelFile || !this.controller.snapshot || !isSameFile(modelFile, editor.document.uri.fsPath)) return;
    clearTimeout(this.cursorTimer);
    this.cursorTimer = setTimeout(() => {
      const line = editor.selection.active.line + 1;
      const nodes = this.controller.nodesAt(modelFile, line);
      const key = nodes.join(",");
      if (key === this.lastHighlighted) return;
      this.lastHighlighted = key;
      this.controller.highlightNodes(nodes);
    }, CURSOR_DEBOUNCE_MS);
  }
}
