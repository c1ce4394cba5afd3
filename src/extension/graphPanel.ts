import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import * as vscode from "vscode";
import { panelHtml } from "../../webview/panelHtml";
import { parseViewMessage } from "../protocol/panel";
import { Disposable } from "./disposable";
import type { PanelHost } from "./modelController";
import type { OutputLog } from "./outputLog";

/**
 * The Gradscope panel: one webview beside the editor, reused across runs. It posts nothing
 * until the view says `view/ready`, then sends the whole current state, so a reloaded or
 * re-shown view never misses a message.
 */
export class GraphPanel extends Disposable {
  static readonly viewType = "gradscope.graph";
  private static current: GraphPanel | undefined;

  private ready = false;
  private readonly readyEmitter = this.register(new vscode.EventEmitter<void>());
  /** The view finished loading and has the full state (tests and the E2E wait on this). */
  readonly onDidBecomeReady = this.readyEmitter.event;

  static get instance(): GraphPanel | undefined {
    return GraphPanel.current;
  }

  /** Shows the panel beside the active editor, creating it the first time. */
  static createOrShow(extensionUri: vscode.Uri, host: PanelHost, log: OutputLog): GraphPanel {
    const existing = GraphPanel.current;
    if (existing) {
      existing.panel.reveal(existing.panel.viewColumn ?? vscode.ViewColumn.Beside, true);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      GraphPanel.viewType,
      "Gradscope",
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      webviewOptions(extensionUri),
    );
    return new GraphPanel(panel, extensionUri, host, log);
  }

  /** Adopts a panel VS Code restored after a window reload. */
  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, host: PanelHost, log: OutputLog): GraphPanel {
    GraphPanel.current?.dispose();
    panel.webview.options = webviewOptions(extensionUri);
    return new GraphPanel(panel, extensionUri, host, log);
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly host: PanelHost,
    private readonly log: OutputLog,
  ) {
    super();
    GraphPanel.current = this;
    const icon = vscode.Uri.joinPath(extensionUri, "media", "icon.svg");
    if (existsSync(icon.fsPath)) panel.iconPath = icon;
    panel.webview.html = renderHtml(panel.webview, extensionUri);
    this.register(panel.onDidDispose(() => this.dispose()));
    this.register(panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)));
    this.register(host.onHostMessage((message) => this.ready && void panel.webview.postMessage(message)));
  }

  get isReady(): boolean {
    return this.ready;
  }

  get viewColumn(): vscode.ViewColumn | undefined {
    return this.panel.viewColumn;
  }

  private receive(raw: unknown): void {
    const parsed = parseViewMessage(raw);
    if (!parsed.ok) {
      this.log.warn(`dropped a message from the panel: ${parsed.error}`);
      return;
    }
    if (parsed.message.type === "view/ready") {
      // A view that reloads (e.g. after being hidden without retainContext) says ready again.
      this.ready = true;
      for (const message of this.host.fullState()) void this.panel.webview.postMessage(message);
      this.readyEmitter.fire();
      return;
    }
    this.host.handleViewMessage(parsed.message);
  }

  override dispose(): void {
    if (GraphPanel.current === this) GraphPanel.current = undefined;
    super.dispose();
    this.panel.dispose();
  }
}

function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    // Keeping the view alive while hidden avoids re-laying out a large graph on every tab switch.
    retainContextWhenHidden: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, "dist"), vscode.Uri.joinPath(extensionUri, "media")],
  };
}

function renderHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  return panelHtml({
    cspSource: webview.cspSource,
    nonce: randomBytes(16).toString("base64"),
    scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, "dist", "webview.js")).toString(),
    styleUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, "media", "panel.css")).toString(),
  });
}
