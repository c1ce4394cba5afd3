import * as path from "node:path";
import * as vscode from "vscode";
import { lossCsv, nodesCsv } from "../graph/csv";
import { snapshotJsonText } from "../graph/snapshotJson";
import { Disposable } from "./disposable";
import type { GraphPanels } from "./graphPanels";
import type { ModelController } from "./modelController";
import type { OutputLog } from "./outputLog";

/** `csv` alone (what the panel's menu writes) is the loss curve. */
export type ExportFormat = "svg" | "png" | "json" | "csv-loss" | "csv-nodes";
const FORMAT_ALIASES: Record<string, ExportFormat> = { csv: "csv-loss" };

interface FormatChoice extends vscode.QuickPickItem {
  format: ExportFormat;
}

/** How long to wait for the panel to hand back an SVG/PNG before saying it did not. */
const PANEL_EXPORT_TIMEOUT_MS = 30_000;

/**
 * Export Graph. JSON and both CSVs come from the host's own data, panel or not; SVG and PNG are
 * drawn by the panel (it knows what is shown), so with the panel closed they open it first.
 */
export class GraphExport extends Disposable {
  /** The panel export being waited for: where it goes, and how to finish the command. */
  private pending: { format: "svg" | "png"; target?: vscode.Uri; done(uri: vscode.Uri | undefined): void } | undefined;

  constructor(
    private readonly controller: ModelController,
    private readonly panels: GraphPanels,
    private readonly log: OutputLog,
  ) {
    super();
  }

  /** The command: asks for a format unless given one; `target` skips the save dialog. Resolves to the written file. */
  async run(format?: string, target?: vscode.Uri): Promise<vscode.Uri | undefined> {
    const snapshot = this.controller.snapshot;
    if (!snapshot) {
      this.explain(this.nothingToExport());
      return undefined;
    }
    const chosen = format === undefined ? (await vscode.window.showQuickPick(this.choices(snapshot.step), { title: "Export Graph" }))?.format : FORMAT_ALIASES[format] ?? (format as ExportFormat);
    if (!chosen) return undefined;
    const stem = `${path.basename(this.controller.model?.displayName ?? "gradscope").replace(/\.[cm]?[jt]sx?$/, "")}-step${snapshot.step}`;
    switch (chosen) {
      case "json":
        return this.save("json", snapshotJsonText(snapshot), `${stem}.json`, target);
      case "csv-nodes":
        return this.save("csv", nodesCsv(snapshot), `${stem}-nodes.csv`, target);
      case "csv-loss": {
        const curve = this.controller.lossCurve();
        if (!curve || curve.losses.length === 0) return this.explain("there is no loss curve yet: no step has run.");
        const steps = Array.from(curve.losses, (_, i) => curve.from + i * curve.stride);
        return this.save("csv", lossCsv(steps, curve.losses), `${stem.replace(/-step\d+$/, "")}-loss.csv`, target);
      }
      case "svg":
      case "png":
        return this.fromPanel(chosen, target);
      default:
        return this.explain(`unknown export format "${String(chosen)}".`);
    }
  }

  /** The panel's answer to an export/request, or an export the user started in the panel itself. */
  async saveFromPanel(format: "svg" | "png" | "json" | "csv", data: string, suggestedName: string): Promise<void> {
    const pending = this.pending?.format === format ? this.pending : undefined;
    if (pending) this.pending = undefined;
    const uri = await this.save(format, data, suggestedName, pending?.target);
    pending?.done(uri);
  }

  private choices(step: number): FormatChoice[] {
    const open = this.panels.current ? "" : " (opens the panel)";
    return [
      { format: "svg", label: "SVG", description: `the graph as drawn in the panel${open}` },
      { format: "png", label: "PNG", description: `a picture of the panel's graph${open}` },
      { format: "json", label: "JSON", description: `step ${step}'s snapshot (gradscope-snapshot@1), for tools and tests` },
      { format: "csv-loss", label: "CSV: loss curve", description: "one row per step: step, loss" },
      { format: "csv-nodes", label: "CSV: nodes", description: `one row per node at step ${step}: id, label, op, kind, data, grad, group` },
    ];
  }

  /** SVG and PNG: open the panel if it is closed, wait until it has the graph, then ask it to draw. */
  private async fromPanel(format: "svg" | "png", target: vscode.Uri | undefined): Promise<vscode.Uri | undefined> {
    const panel = this.panels.show();
    await panel.whenReady();
    if (this.pending) this.pending.done(undefined);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        if (this.pending?.done !== done) return;
        this.pending = undefined;
        this.explain(`the panel did not produce the ${format.toUpperCase()} (see Gradscope: Show Output).`);
        resolve(undefined);
      }, PANEL_EXPORT_TIMEOUT_MS);
      const done = (uri: vscode.Uri | undefined) => (clearTimeout(timer), resolve(uri));
      this.pending = { format, target, done };
      this.controller.requestExport(format);
    });
  }

  private async save(format: "svg" | "png" | "json" | "csv", data: string, suggestedName: string, target?: vscode.Uri): Promise<vscode.Uri | undefined> {
    const folder = this.controller.model ? vscode.workspace.getWorkspaceFolder(this.controller.model.uri)?.uri : undefined;
    const uri =
      target ??
      (await vscode.window.showSaveDialog({
        defaultUri: vscode.Uri.joinPath(folder ?? vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(process.cwd()), suggestedName),
        filters: { [format.toUpperCase()]: [format] },
      }));
    if (!uri) return undefined;
    await vscode.workspace.fs.writeFile(uri, encode(format, data));
    this.log.info(`exported ${format} to ${uri.fsPath}`);
    return uri;
  }

  private nothingToExport(): string {
    const s = this.controller.currentStatus;
    if (!this.controller.hasSession) return "nothing to export yet. Run Gradscope: Visualize Backward Pass first.";
    if (s.state === "error") return `nothing to export: ${s.file ?? "the model"} failed before its first backward() (${s.error?.message ?? "see the Problems view"}).`;
    if (s.state === "starting" || s.state === "running") return "nothing to export yet: the model has not reached its first backward().";
    return `nothing to export: ${s.file ?? "the model"} built no graph (it never called backward()).`;
  }

  private explain(reason: string): undefined {
    void vscode.window.showInformationMessage(`Gradscope: ${reason}`);
    return undefined;
  }
}

function encode(format: string, data: string): Uint8Array {
  if (format === "png") return Buffer.from(data.replace(/^data:image\/png;base64,/, ""), "base64");
  return Buffer.from(data, "utf8");
}
