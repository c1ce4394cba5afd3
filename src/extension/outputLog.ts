import * as vscode from "vscode";

/** The Gradscope output channel: the model's console output and Gradscope's own notes (e.g. dropped messages). */
export class OutputLog implements vscode.Disposable {
  private readonly channel = vscode.window.createOutputChannel("Gradscope");

  /** A line the user's model printed. */
  model(level: string, text: string): void {
    this.channel.appendLine(level === "log" || level === "info" ? text : `[${level}] ${text}`);
  }

  /** A note from Gradscope itself. */
  info(text: string): void {
    this.channel.appendLine(`[gradscope] ${text}`);
  }

  warn(text: string): void {
    this.channel.appendLine(`[gradscope warn] ${text}`);
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}
