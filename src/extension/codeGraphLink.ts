import * as vscode from "vscode";
import { Disposable } from "./disposable";
import type { ModelController } from "./modelController";

const HIGHLIGHT_MS = 1500;
const CURSOR_DEBOUNCE_MS = 120;

/**
 * Code ↔ graph: a node clicked in the panel reveals and briefly highlights the line that created it;
 * the editor's cursor line highlights that line's nodes in the panel. Documents are matched by URI,
 * so an untitled model links like a saved one.
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
    this.register(vscode.window.onDidChangeTextEditorSelection((e) => this.onCursorMoved(e.textEditor)));
    this.register(controller.onDidChangeGraph(() => (this.lastHighlighted = "")));
    this.register({ dispose: () => (clearTimeout(this.clearHighlight), clearTimeout(this.cursorTimer)) });
  }

  /**
   * Shows the node's creating line beside the panel; returns the editor (tests check its selection).
   * Focus stays where it is unless `focusEditor` (the panel's Enter key).
   */
  async revealNode(node: number, { focusEditor = false } = {}): Promise<vscode.TextEditor | undefined> {
    const snapshot = this.controller.snapshot;
    const model = this.controller.model;
    const at = snapshot?.topology.loc[node] ?? -1;
    if (!snapshot || !model || at < 0) return undefined;
    const location = snapshot.topology.locations[at];
    const uri = model.uriOf(location.file);
    const position = new vscode.Position(location.line - 1, location.column - 1);
    // Open next to the panel, not on top of it.
    const column = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString())?.viewColumn ?? vscode.ViewColumn.One;
    try {
      const editor = await vscode.window.showTextDocument(uri, { viewColumn: column, selection: new vscode.Range(position, position), preserveFocus: !focusEditor });
      editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
      editor.setDecorations(this.lineHighlight, [new vscode.Range(position, position)]);
      clearTimeout(this.clearHighlight);
      this.clearHighlight = setTimeout(() => editor.setDecorations(this.lineHighlight, []), HIGHLIGHT_MS);
      return editor;
    } catch (err) {
      // E.g. an untitled model whose editor was closed: its text is gone.
      void vscode.window.showInformationMessage(`Gradscope: cannot show ${model.displayPath(location.file)}:${location.line} (${err instanceof Error ? err.message : String(err)}).`);
      return undefined;
    }
  }

  private onCursorMoved(editor: vscode.TextEditor): void {
    if (!this.controller.snapshot || !this.controller.model?.is(editor.document.uri)) return;
    clearTimeout(this.cursorTimer);
    this.cursorTimer = setTimeout(() => {
      const nodes = this.controller.nodesAt(editor.document.uri, editor.selection.active.line + 1);
      const key = nodes.join(",");
      if (key === this.lastHighlighted) return;
      this.lastHighlighted = key;
      this.controller.highlightNodes(nodes);
    }, CURSOR_DEBOUNCE_MS);
  }
}
