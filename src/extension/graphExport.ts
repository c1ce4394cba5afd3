import * as vscode from "vscode";
import { snapshotToJSON } from "../protocol/graph";
import { Disposable } from "./disposable";
import type { ModelController } from "./modelController";
import type { OutputLog } from "./outputLog";

export type ExportFormat = "svg" | "png" | "json" | "csv";
const FORMATS: { format: ExportFormat; label: string; detail: string }[] = [
  { format: "svg", label: "SVG", detail: "the graph as drawn in the panel" },
  { format: "png", label: "PNG", detail: "a picture of the panel's graph" },
  { format: "json", label: "JSON", detail: "the step's snapshot (gradscope-snapshot@1), for tools and tests" },
  { format: "csv", label: "CSV", detail: "one row per node: label, op, data, grad" },
];

/**
 * Export Graph: JSON comes straight from the host's snapshot; SVG, PNG and CSV are rendered by the
 * panel (it knows what is drawn) and handed back in an `export/save` message.
 */
export class GraphExport extends Disposable {
  /** Where the next panel export goes, when the caller already chose (tests, scripts). */
  private pendingTarget: vscode.Uri | undefined;

  constructor(private readonly controller: ModelController, private readonly log: OutputLog) {
    super();
    this.register(controller.onDidProduceExport((e) => void this.save(e.format, e.data, e.suggestedName)));
  }

  /** The command: asks for a format unless given one; `target` skips the save dialog. Returns the written file for JSON. */
  async run(format?: ExportFormat, target?: vscode.Uri): Promise<vscode.Uri | undefined> {
    const snapshot = this.controller.snapshot;
    if (!snapshot) {
      void vscode.window.showInformationMessage("Gradscope: nothing to export yet. Run Gradscope: Visualize Backward Pass first.");
      return undefined;
    }
    const chosen = format ?? (await vscode.window.showQuickPick(FORMATS, { title: "Export Graph" }))?.format;
    if (!chosen) return undefined;
    if (chosen === "json") {
      const text = JSON.stringify(snapshotToJSON(snapshot), null, 1);
      return this.save("json", text, `gradscope-step-${snapshot.step}.json`, target);
    }
    this.pendingTarget = target;
    this.controller.requestExport(chosen);
    return undefined;
  }

  private async save(format: ExportFormat, data: string, suggestedName: string, target = this.pendingTarget): Promise<vscode.Uri | undefined> {
    this.pendingTarget = undefined;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const uri =
      target ??
      (await vscode.window.showSaveDialog({
        defaultUri: folder ? vscode.Uri.joinPath(folder, suggestedName) : undefined,
        filters: { [format.toUpperCase()]: [format] },
      }));
    if (!uri) return undefined;
    await vscode.workspace.fs.writeFile(uri, encode(format, data));
    this.log.info(`exported ${format} to ${uri.fsPath}`);
    return uri;
  }
}

function encode(format: ExportFormat, data: string): Uint8Array {
  if (format === "png") return Buffer.from(data.replace(/^data:image\/png;base64,/, ""), "base64");
  return Buffer.from(data, "utf8");
}
