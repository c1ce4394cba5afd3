import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";
import type { Snapshot } from "../protocol/graph";
import type { HostMessage, ViewMessage } from "../protocol/panel";
import type { ModelError, RunState } from "../protocol/run";
import { ModelSession } from "../runner/session";
import type { SessionEvent } from "../runner/types";
import { Disposable } from "./disposable";
import type { OutputLog } from "./outputLog";
import { readSettings } from "./settings";

/** What the status bar, diagnostics and tests see of the current run. */
export interface ModelStatus {
  state: RunState;
  step: number;
  /** Loss of the newest step, when there has been one. */
  loss?: number;
  /** Absolute path of the model file being run. */
  file?: string;
  error?: ModelError;
}

export type StartOutcome =
  | { started: true; file: string }
  | { started: false; reason: "untrusted" | "no-editor" };

export type StartMode = "paused" | "running";

/** The panel's side of the conversation: what the controller sends it and answers for it. */
export interface PanelHost {
  readonly onHostMessage: vscode.Event<HostMessage>;
  /** Everything a freshly loaded view needs, in order. */
  fullState(): HostMessage[];
  handleViewMessage(message: ViewMessage): void;
}

/**
 * Owns the ModelSession of the model being visualized (one at a time), turns its events into
 * panel messages and status, and carries out the controls from the panel and the editor.
 * The model itself never runs here: the session compiles and runs it in a worker.
 */
export class ModelController extends Disposable implements PanelHost {
  private session?: ModelSession;
  private sessionSubscription?: vscode.Disposable;
  private status: ModelStatus = { state: "idle", step: 0 };
  /** The newest graph shown, so hovers and inline values agree with the panel. */
  private shownSnapshot?: Snapshot;

  private readonly statusEmitter = this.register(new vscode.EventEmitter<ModelStatus>());
  /** The run state, step or loss changed. */
  readonly onDidChangeStatus = this.statusEmitter.event;

  private readonly graphEmitter = this.register(new vscode.EventEmitter<Snapshot>());
  /** A new step's numbers (or a new graph) arrived. Throttled by the session while running. */
  readonly onDidChangeGraph = this.graphEmitter.event;

  private readonly hostMessageEmitter = this.register(new vscode.EventEmitter<HostMessage>());
  readonly onHostMessage = this.hostMessageEmitter.event;

  private readonly revealEmitter = this.register(new vscode.EventEmitter<number>());
  /** The panel asked to show the code that created this node. */
  readonly onDidRequestReveal = this.revealEmitter.event;

  private readonly exportEmitter = this.register(new vscode.EventEmitter<Extract<ViewMessage, { type: "export/save" }>>());
  /** The panel produced an export the user asked for. */
  readonly onDidProduceExport = this.exportEmitter.event;

  constructor(
    private readonly log: OutputLog,
    private readonly workerScript: string,
  ) {
    super();
    this.register({ dispose: () => this.endSession() });
  }

  get currentStatus(): ModelStatus {
    return this.status;
  }

  get hasSession(): boolean {
    return this.session !== undefined;
  }

  /** The snapshot the panel is showing (the newest step, or a history step the user picked). */
  get snapshot(): Snapshot | undefined {
    return this.shownSnapshot;
  }

  /** Node indices the latest graph created on this line of the model (for hovers and cursor highlighting). */
  nodesAt(file: string, line: number): number[] {
    return this.session?.nodesAt(file, line, this.shownSnapshot) ?? [];
  }

  /** Runs a document's current text (saved or not), replacing any earlier run. */
  async start(document: vscode.TextDocument, mode: StartMode): Promise<StartOutcome> {
    if (!vscode.workspace.isTrusted) {
      void explainRestrictedMode();
      return { started: false, reason: "untrusted" };
    }
    this.endSession();
    const file = modelPath(document);
    const settings = readSettings();
    const session = new ModelSession(
      {
        file,
        source: document.getText(),
        startPaused: mode === "paused",
        throttleMs: Math.round(1000 / settings.updateRate),
        maxNodesPerStep: settings.maxNodesPerStep,
        memoryLimitMb: settings.memoryLimitMb,
        values: "all",
      },
      this.workerScript,
    );
    this.session = session;
    this.shownSnapshot = undefined;
    this.sessionSubscription = session.onEvent((e) => {
      if (this.session === session) this.onSessionEvent(e);
    });
    this.setStatus({ state: "starting", step: 0, file });
    this.post({ type: "loss/set", from: 1, losses: new Float64Array(0) });
    this.log.info(`running ${file}`);
    await session.start();
    return { started: true, file };
  }

  step(): void {
    this.session?.step();
  }

  run(): void {
    this.session?.run();
  }

  pause(): void {
    this.session?.pause();
  }

  /** Run when paused, pause when running: the status bar click and the run/pause key. */
  toggleRun(): void {
    if (this.status.state === "running") this.pause();
    else this.run();
  }

  runSteps(n: number): void {
    this.session?.runSteps(n);
  }

  stop(): void {
    this.session?.stop();
  }

  async restart(): Promise<void> {
    if (!this.session) return;
    this.shownSnapshot = undefined;
    this.post({ type: "loss/set", from: 1, losses: new Float64Array(0) });
    // Restart what the editor holds now, saved or not, not the text of the first start.
    const file = this.session.file;
    const document = vscode.workspace.textDocuments.find((d) => modelPath(d) === file);
    await this.session.restart(document?.getText());
  }

  fullState(): HostMessage[] {
    const messages: HostMessage[] = [
      { type: "config/set", collapseThreshold: readSettings().collapseThreshold },
      this.stateMessage(),
    ];
    const snapshot = this.shownSnapshot;
    if (snapshot) messages.push(graphSetMessage(snapshot));
    if (this.session) {
      const { from, stride, losses } = this.session.losses();
      messages.push({ type: "loss/set", from: Math.max(1, from), stride, losses: losses as Float64Array<ArrayBuffer> });
      messages.push({ type: "history/available", steps: this.session.historySteps() });
    }
    return messages;
  }

  handleViewMessage(message: ViewMessage): void {
    switch (message.type) {
      case "view/ready":
        return; // the panel answers `ready` itself with fullState()
      case "control/run":
        return this.run();
      case "control/pause":
        return this.pause();
      case "control/step":
        return this.step();
      case "control/runN":
        return this.runSteps(message.n);
      case "control/stop":
        return this.stop();
      case "control/restart":
        void this.restart();
        return;
      case "node/reveal":
        this.revealEmitter.fire(message.node);
        return;
      case "history/show":
        return this.showHistoryStep(message.step);
      case "export/save":
        this.exportEmitter.fire(message);
        return;
      case "view/log":
        this.log.info(`panel ${message.level}: ${message.message}`);
        return;
    }
  }

  /** Asks the panel for an export it renders (SVG, PNG, CSV); JSON the host writes itself. */
  requestExport(format: "svg" | "png" | "json" | "csv"): void {
    this.post({ type: "export/request", format });
  }

  /** Highlights nodes in the panel (cursor line → graph). */
  highlightNodes(nodes: number[]): void {
    this.post({ type: "nodes/highlight", nodes });
  }

  private showHistoryStep(step: number): void {
    const snapshot = this.session?.snapshotAt(step);
    if (!snapshot) return;
    this.shownSnapshot = snapshot;
    this.post(graphSetMessage(snapshot));
    this.graphEmitter.fire(snapshot);
  }

  private onSessionEvent(e: SessionEvent): void {
    switch (e.type) {
      case "state":
        this.setStatus({ ...this.status, state: e.state, step: e.step, error: e.error });
        this.post(this.stateMessage());
        if (e.state !== "running" && e.state !== "starting" && this.session) {
          this.post({ type: "history/available", steps: this.session.historySteps() });
        }
        return;
      case "graph": {
        const s = e.snapshot;
        // The panel may be showing a history step of another shape: compare with what it shows.
        const newShape = e.shapeChanged || this.shownSnapshot?.topology.hash !== s.topology.hash;
        this.shownSnapshot = s;
        this.post(newShape ? graphSetMessage(s) : { type: "step/update", step: s.step, loss: s.loss, values: s.values, updates: s.updates });
        this.graphEmitter.fire(s);
        return;
      }
      case "loss":
        if (e.losses.length === 0) return;
        // The session's arrays are never SharedArrayBuffer-backed; the protocol types them as plain ArrayBuffer.
        this.post({ type: "loss/append", from: e.from, losses: e.losses as Float64Array<ArrayBuffer> });
        this.setStatus({ ...this.status, loss: e.losses[e.losses.length - 1], step: Math.max(this.status.step, e.from + e.losses.length - 1) });
        return;
      case "console":
        this.log.model(e.level, e.text);
        return;
      case "end":
        this.log.info(`run ended: ${e.reason} after ${e.steps} step${e.steps === 1 ? "" : "s"}${e.error ? ` — ${e.error.message}` : ""}`);
        if (e.error) this.setStatus({ ...this.status, state: "error", error: e.error });
        return;
    }
  }

  private stateMessage(): HostMessage {
    const { state, step, file, error } = this.status;
    return { type: "session/state", state, step, file, error };
  }

  private setStatus(next: ModelStatus): void {
    this.status = next;
    this.statusEmitter.fire(next);
  }

  private post(message: HostMessage): void {
    this.hostMessageEmitter.fire(message);
  }

  private endSession(): void {
    this.sessionSubscription?.dispose();
    this.sessionSubscription = undefined;
    this.session?.dispose();
    this.session = undefined;
  }
}

function graphSetMessage(s: Snapshot): HostMessage {
  return { type: "graph/set", step: s.step, loss: s.loss, topology: s.topology, values: s.values, updates: s.updates };
}

/** Where the runner should pretend an unsaved, untitled model lives (it resolves nothing relative to it). */
function modelPath(document: vscode.TextDocument): string {
  if (document.uri.scheme === "file") return document.uri.fsPath;
  const name = path.basename(document.uri.path || "untitled").replace(/[^\w.-]/g, "_");
  return path.join(os.tmpdir(), "gradscope-untitled", name.endsWith(".ts") ? name : `${name}.ts`);
}

async function explainRestrictedMode(): Promise<void> {
  const manage = "Manage Workspace Trust";
  const choice = await vscode.window.showWarningMessage(
    "Gradscope does not run model code in Restricted Mode: a model is a program, and this workspace is not trusted. " +
      "Trust the workspace (Manage Workspace Trust) to visualize its models.",
    manage,
  );
  if (choice === manage) await vscode.commands.executeCommand("workbench.trust.manage");
}
