import * as vscode from "vscode";
import { Disposable } from "./disposable";
import { GraphPanel, webviewOptions, type PanelHost } from "./graphPanel";
import type { OutputLog } from "./outputLog";

/**
 * The one Gradscope panel, if open: Visualize and Show Graph open or reveal it, VS Code hands
 * back a restored one after a reload, and closing it leaves the run going (Show Graph or the
 * status bar bring it back with the full current state).
 */
export class GraphPanels extends Disposable {
  private panel: GraphPanel | undefined;
  private readonly changeEmitter = this.register(new vscode.EventEmitter<void>());
  /** The panel opened, closed, or was shown or hidden. */
  readonly onDidChange = this.changeEmitter.event;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly host: PanelHost,
    private readonly log: OutputLog,
  ) {
    super();
    this.register({ dispose: () => this.panel?.panel.dispose() });
  }

  get current(): GraphPanel | undefined {
    return this.panel;
  }

  /** Open and on screen (not a hidden tab). */
  get isVisible(): boolean {
    return this.panel?.panel.visible ?? false;
  }

  /** Shows the panel beside the editor, creating it if it is closed; focus stays where it was. */
  show(): GraphPanel {
    if (this.panel) {
      // A panel dragged into the editor's own group would cover the model: move it beside instead.
      const column = this.panel.panel.viewColumn;
      const coversEditor = column === undefined || column === vscode.window.activeTextEditor?.viewColumn;
      this.panel.panel.reveal(coversEditor ? vscode.ViewColumn.Beside : column, true);
      return this.panel;
    }
    const webviewPanel = vscode.window.createWebviewPanel(GraphPanel.viewType, "Gradscope", { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, webviewOptions(this.extensionUri));
    return this.adopt(webviewPanel);
  }

  /** Adopts a panel VS Code restored after a window reload. */
  revive(webviewPanel: vscode.WebviewPanel): GraphPanel {
    this.panel?.panel.dispose();
    return this.adopt(webviewPanel);
  }

  private adopt(webviewPanel: vscode.WebviewPanel): GraphPanel {
    const panel = new GraphPanel(webviewPanel, this.extensionUri, this.host, this.log);
    this.panel = panel;
    const viewState = webviewPanel.onDidChangeViewState(() => this.changeEmitter.fire());
    webviewPanel.onDidDispose(() => {
      viewState.dispose();
      panel.dispose();
      if (this.panel === panel) this.panel = undefined;
      this.changeEmitter.fire();
    });
    this.changeEmitter.fire();
    return panel;
  }
}
