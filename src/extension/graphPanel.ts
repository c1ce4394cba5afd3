import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import * as vscode from "vscode";
import { panelHtml } from "../../webview/panelHtml";
import { isInsightMessage } from "../protocol/insightPanel";
import { parseViewMessage, type HostMessage, type ViewMessage } from "../protocol/panel";
import { Disposable } from "./disposable";
import type { OutputLog } from "./outputLog";
import { decodeNonFinite, encodeNonFinite } from "../protocol/wire";

/** The panel's side of the conversation: what the host sends it and answers for it. */
export interface PanelHost {
  readonly onHostMessage: vscode.Event<HostMessage>;
  /** Everything a freshly loaded view needs, in order. */
  fullState(): HostMessage[];
  /** What a view hidden for a while needs to catch up (the newest graph, the loss curve): sent once when it shows again. */
  coalescedState(): HostMessage[];
  /** The view came on screen or went off it (or closed). */
  viewShown(shown: boolean): void;
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
    this.register(host.onHostMessage((message) => this.forward(message)));
    this.register(panel.onDidChangeViewState(() => this.visibilityChanged()));
    this.register({ dispose: () => host.viewShown(false) });
  }

  /** Step numbers are not sent to a hidden view (it catches up once when shown); everything else is. */
  private forward(message: HostMessage): void {
    if (!this.ready) return;
    if (!this.panel.visible && STEP_NUMBERS.has(message.type)) {
      this.stale = true;
      return;
    }
    void this.panel.webview.postMessage(encodeNonFinite(message));
  }

  private stale = false;

  private visibilityChanged(): void {
    const shown = this.panel.visible;
    this.host.viewShown(shown && this.ready);
    if (!shown || !this.ready || !this.stale) return;
    this.stale = false;
    for (const message of this.host.coalescedState()) void this.panel.webview.postMessage(encodeNonFinite(message));
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
      this.stale = false;
      for (const message of this.host.fullState()) void this.panel.webview.postMessage(encodeNonFinite(message));
      this.host.viewShown(this.panel.visible);
      this.readyEmitter.fire();
      return;
    }
    this.host.handleViewMessage(parsed.message);
  }
}

/** What changes every step: held back from a hidden view. */
const STEP_NUMBERS = new Set<HostMessage["type"]>(["graph/set", "step/update", "view/update", "loss/append"]);

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
