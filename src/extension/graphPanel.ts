import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import * as vscode from "vscode";
import { panelHtml } from "../../webview/panelHtml";
import { isInsightMessage } from "../protocol/insightPanel";
import { parseViewMessage, type HostMessage, type ViewMessage } from "../protocol/panel";
import { Disposable } from "./disposable";
import type { OutputLog } from "./outputLog";

/** The panel's side of the conversation: what the host sends it and answers for it. */
export interface PanelHost {
  readonly onHostMessage: vscode.Event<HostMessage>;
  /** Everything a freshly loaded view needs, in order. */
  fullState(): HostMessage[];
  handleViewMessage(message: ViewMessage): void;
}

/**
 * One Gradscope webview beside the editor. It posts nothing until the view says `view/ready`,
 * then sends the whole current state, so a reloaded, re-shown or newly opened view never misses
 * a message. GraphPanels (below) keeps at most one.
 */
export class GraphPanel extends Disposable {
  static readonly viewType = "gradscope.graph";

  private ready = false;
  private readonly readyEmitter = this.register(new vscode.EventEmitter<void>());
  /** The view finished loading and has the full state (tests, exports and the E2E wait on this). */
  readonly onDidBecomeReady = this.readyEmitter.event;

  constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly host: PanelHost,
    private readonly log: OutputLog,
  ) {
    super();
    panel.webview.options = webviewOptions(extensionUri);
    const icon = vscode.Uri.joinPath(extensionUri, "media", "icon.svg");
    if (existsSync(icon.fsPath)) panel.iconPath = icon;
    panel.webview.html = renderHtml(panel.webview, extensionUri);
    this.register(panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)));
    this.register(host.onHostMessage((message) => this.ready && void panel.webview.postMessage(message)));
  }

  get isReady(): boolean {
    return this.ready;
  }

  get viewColumn(): vscode.ViewColumn | undefined {
    return this.panel.viewColumn;
  }

  /** Resolves once the view has loaded and received the full state. */
  whenReady(): Promise<void> {
    return this.ready ? Promise.resolve() : new Promise((resolve) => {
      const once = this.onDidBecomeReady(() => (once.dispose(), resolve()));
    });
  }

  /** A message from the view, validated like any other (tests inject through here). */
  receive(raw: unknown): void {
    if (isInsightMessage(raw)) return; // insight/* requests: src/extension/insight.ts listens to the webview itself
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
}

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
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
