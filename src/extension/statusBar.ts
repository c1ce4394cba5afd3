import * as vscode from "vscode";
import { Disposable } from "./disposable";
import type { ModelController, ModelStatus } from "./modelController";
import { formatNumber } from "./valueText";

const STATE_ICON: Record<ModelStatus["state"], string> = {
  idle: "$(graph)",
  starting: "$(sync~spin)",
  running: "$(play)",
  paused: "$(debug-pause)",
  finished: "$(check)",
  stopped: "$(debug-stop)",
  error: "$(error)",
};

/** `Gradscope: step 3 · loss 0.123 · paused` — click to pause or resume. */
export class StatusBar extends Disposable {
  private readonly item = this.register(vscode.window.createStatusBarItem("gradscope.status", vscode.StatusBarAlignment.Left, 50));

  constructor(controller: ModelController) {
    super();
    this.item.name = "Gradscope";
    this.item.command = "gradscope.toggleRun";
    this.register(controller.onDidChangeStatus((s) => this.render(s)));
  }

  private render(s: ModelStatus): void {
    const loss = s.loss === undefined ? "" : ` · loss ${formatNumber(s.loss)}`;
    this.item.text = `${STATE_ICON[s.state]} Gradscope: step ${s.step}${loss} · ${s.state}`;
    this.item.tooltip =
      s.state === "error" && s.error
        ? `Model error: ${s.error.message}`
        : s.state === "running"
          ? "Click to pause"
          : "Click to run or continue";
    this.item.backgroundColor = s.state === "error" ? new vscode.ThemeColor("statusBarItem.errorBackground") : undefined;
    this.item.show();
  }
}
