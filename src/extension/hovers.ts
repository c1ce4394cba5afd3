import * as vscode from "vscode";
import type { Snapshot } from "../protocol/graph";
import { Disposable } from "./disposable";
import type { ModelController } from "./modelController";
import { nodeValueText } from "./valueText";

const MAX_NODES_LISTED = 8;

/** Hovering a line (or a variable) that made nodes shows their data and grad at the shown step. */
export class GradientHovers extends Disposable implements vscode.HoverProvider {
  constructor(private readonly controller: ModelController) {
    super();
    this.register(vscode.languages.registerHoverProvider([{ language: "typescript" }, { language: "javascript" }], this));
  }

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const snapshot = this.controller.snapshot;
    const lineNodes = this.controller.nodesAt(document.uri, position.line + 1);
    // Only documents of the shown model: another file's `a` is not this graph's `a`.
    if (!snapshot || (!this.controller.model?.is(document.uri) && lineNodes.length === 0)) return undefined;

    const wordRange = document.getWordRangeAtPosition(position, /[A-Za-z_$][\w$]*/);
    const word = wordRange ? document.getText(wordRange) : undefined;
    const byLabel = word && this.controller.model?.is(document.uri) ? nodesLabelled(snapshot, word) : [];
    const nodes = byLabel.length ? byLabel : lineNodes;
    if (!nodes.length) return undefined;

    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**Gradscope** · step ${snapshot.step}\n\n`);
    for (const node of nodes.slice(0, MAX_NODES_LISTED)) md.appendCodeblock(nodeValueText(snapshot, node), "text");
    if (nodes.length > MAX_NODES_LISTED) md.appendMarkdown(`…and ${nodes.length - MAX_NODES_LISTED} more nodes`);
    return new vscode.Hover(md, byLabel.length ? wordRange : undefined);
  }
}

/** Named nodes only: a variable hover is about the value the user named, not every temporary. */
function nodesLabelled(s: Snapshot, label: string): number[] {
  const found: number[] = [];
  const labels = s.topology.label;
  for (let i = 0; i < labels.length && found.length <= MAX_NODES_LISTED; i++) if (labels[i] === label) found.push(i);
  return found;
}
