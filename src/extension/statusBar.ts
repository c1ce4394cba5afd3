import * as vscode from "vscode";
import { isEnded, type RunState } from "../protocol/run";
import { Disposable } from "./disposable";
import type { GraphPanels } from "./graphPanels";
import type { ModelController, ModelStatus } from "./modelController";
import { formatNumber } from "../graph/format";

const STATE_ICON: Record<RunState, string> = {
  idle: "$(graph)",
  starting: "$(sync~spin)",
  running: "$(play)",
  paused: "$(debug-pause)",
  finished: "$(check)",
  stopped: "$(debug-stop)",
  error: "$(error)",
};

/** The commands the tooltip offers as links. */
const LINKED = ["gradscope.showGraph", "gradscope.toggleRun", "gradscope.step", "gradscope.restart", "gradscope.stop", "gradscope.exportGraph"];

/**
 * `Gradscope: step 3 · loss 0.123 · paused`. A click shows the graph when the panel is not on
 * screen (e.g. closed mid-run), else does the state's primary control; the tooltip says which,
 * and links the others.
 */
export class StatusBar extends Disposable {
  private readonly item = this.register(vscode.window.createStatusBarItem("gradscope.status", vscode.StatusBarAlignment.Left, 50));

  constructor(private readonly controller: ModelController, private readonly panels: GraphPanels) {
    super();
    this.item.name = "Gradscope";
    this.register(controller.onDidChangeStatus((s) => this.render(s)));
    this.register(panels.onDidChange(() => controller.hasSession && this.render(controller.currentStatus)));
  }

  /** What the item shows now (tests read it). */
  get shown(): { text: string; tooltip: string; command: string | undefined } {
    const tooltip = this.item.tooltip;
    return { text: this.item.text, tooltip: typeof tooltip === "string" ? tooltip : (tooltip?.value ?? ""), command: typeof this.item.command === "string" ? this.item.command : this.item.command?.command };
  }

  private render(s: ModelStatus): void {
    const loss = s.loss === undefined ? "" : ` · loss ${formatNumber(s.loss)}`;
    this.item.text = `${STATE_ICON[s.state]} Gradscope: step ${s.step}${loss} · ${s.state}`;
    const click = this.clickAction(s.state);
    this.item.command = click.command;
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.isTrusted = { enabledCommands: LINKED };
    const what = s.state === "error" && s.error ? `Model error: ${s.error.message}` : `${s.file ?? "Gradscope"} · ${s.state} at step ${s.step}`;
    tooltip.appendText(`${what}\n\n`);
    tooltip.appendMarkdown(`**Click to ${click.does}.**\n\n`);
    tooltip.appendMarkdown(this.links(s.state, click.command).join(" · "));
    this.item.tooltip = tooltip;
    this.item.backgroundColor = s.state === "error" ? new vscode.ThemeColor("statusBarItem.errorBackground") : undefined;
    this.item.show();
  }

  private clickAction(state: RunState): { command: string; does: string } {
    if (!this.panels.isVisible) return { command: "gradscope.showGraph", does: state === "running" ? "show the graph (training is running)" : "show the graph" };
    if (isEnded(state)) return { command: "gradscope.restart", does: "restart the model" };
    if (state === "running") return { command: "gradscope.toggleRun", does: "pause" };
    if (state === "paused") return { command: "gradscope.toggleRun", does: "run on" };
    return { command: "gradscope.showGraph", does: "show the graph" };
  }

  private links(state: RunState, clickCommand: string): string[] {
    const links: [string, string][] = [["$(graph) Show Graph", "gradscope.showGraph"]];
    if (state === "paused") links.push(["$(debug-step-over) Step", "gradscope.step"]);
    if (state === "running" || state === "paused") links.push(["$(debug-stop) Stop", "gradscope.stop"]);
    if (state !== "idle") links.push(["$(debug-restart) Restart", "gradscope.restart"]);
    links.push(["$(export) Export", "gradscope.exportGraph"]);
    return links.filter(([, command]) => command !== clickCommand || command === "gradscope.showGraph").map(([title, command]) => `[${title}](command:${command})`);
  }
}
