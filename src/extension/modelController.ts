import * as path from "node:path";
import * as vscode from "vscode";
import type { Snapshot } from "../protocol/graph";
import type { HostMessage } from "../protocol/panel";
import { isEnded, type Control, type ModelError, type RunState } from "../protocol/run";
import type { ModelSession } from "../runner/session";
import type { SessionEvent } from "../runner/types";
import { Disposable } from "./disposable";
import { ModelDocument } from "./modelDocument";
import type { OutputLog } from "./outputLog";
import { disposeRunner, loadRunner } from "./runnerLoader";
import { affectsGradscope, readSettings } from "./settings";
import { readHealthSpec } from "./insightSettings";
import type { HealthSpec } from "../protocol/health";
import type { InsightRequest } from "../protocol/insight";

/** What the status bar, diagnostics and tests see of the current run. */
export interface ModelStatus {
  state: RunState;
  step: number;
  /** Loss of the newest step, when there has been one. */
  loss?: number;
  /** The model's document. */
  uri?: vscode.Uri;
  /** The model as the user knows it: its path, or an untitled editor's title. */
  file?: string;
  error?: ModelError;
}

/** A likely mistake in the model (gradients not zeroed, no backward() call), where it happened. */
export interface ModelWarning {
  message: string;
  uri: vscode.Uri;
  /** 1-based, when the runner knew where the model was. */
  line?: number;
}

export type StartOutcome =
  | { started: true; file: string }
  | { started: false; reason: "untrusted" | "no-editor" | "not-a-model" | "superseded" };

export type StartMode = "paused" | "running";

/** While a model trains, the host takes every node's numbers at most this often (see RunSpec.hostReportMs). */
const HOST_REPORT_MS = 500;

const NO_BACKWARD =
  "The model ended without calling backward(), so there is no step to show. Gradscope shows one step per backward() call: call loss.backward() on your loss.";

/**
 * Owns the ModelSession of the model being visualized (one at a time), turns its events into
 * status and panel messages, and carries out controls on it. The model never runs here, and
 * the runner module itself loads only when the first model starts.
 */
export class ModelController extends Disposable {
  private session?: ModelSession;
  private sessionSubscription?: vscode.Disposable;
  private document?: ModelDocument;
  private status: ModelStatus = { state: "idle", step: 0 };
  /** The newest full step (or the history step picked): hovers, inline values, exports. While training it may trail the panel's view by up to HOST_REPORT_MS. */
  private shownSnapshot?: Snapshot;
  /** The panel shows a history step the user picked, until the next live report. */
  private showingHistory = false;
  private runWarnings: ModelWarning[] = [];
  /** Bumped by every start, so a start overtaken by a newer one gives up. */
  private starts = 0;
  /** What the panel shows (its last view/subscribe) and whether it is on screen: then steps of that shape reach it as view/update. */
  private panelView?: { hash: string; expanded: string[]; nodes: Int32Array<ArrayBuffer> };
  private panelShown = false;

  private readonly statusEmitter = this.register(new vscode.EventEmitter<ModelStatus>());
  /** The run state, step, loss or model changed. */
  readonly onDidChangeStatus = this.statusEmitter.event;

  private readonly graphEmitter = this.register(new vscode.EventEmitter<Snapshot>());
  /** A new step's numbers (or a new graph) arrived. Throttled by the session while running. */
  readonly onDidChangeGraph = this.graphEmitter.event;

  private readonly hostMessageEmitter = this.register(new vscode.EventEmitter<HostMessage>());
  /** Every message for the panel, whether or not one is open (an open panel forwards them). */
  readonly onHostMessage = this.hostMessageEmitter.event;

  private readonly insightEmitter = this.register(new vscode.EventEmitter<Extract<SessionEvent, { type: "finding" | "break" | "insight" }>>());
  /** Issue 10: a health finding, a training breakpoint hit, an answer to insight() (src/extension/insight.ts listens). */
  readonly onDidInsight = this.insightEmitter.event;

  private readonly warningEmitter = this.register(new vscode.EventEmitter<ModelWarning>());
  readonly onDidWarn = this.warningEmitter.event;

  constructor(
    private readonly log: OutputLog,
    private readonly runnerScript: string,
  ) {
    super();
    this.register({ dispose: () => (this.endSession(), disposeRunner()) });
    this.register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (affectsGradscope(e, this.document?.uri, "collapseThreshold")) this.post(this.configMessage());
      }),
    );
  }

  get currentStatus(): ModelStatus {
    return this.status;
  }

  /** A model has been loaded (running or over): its graph, history and exports are still here. */
  get hasSession(): boolean {
    return this.document !== undefined;
  }

  /** A run that can still be stepped, paused or stopped. */
  get isLive(): boolean {
    return this.document !== undefined && !isEnded(this.status.state);
  }

  /** The loaded model's document, keyed by URI (maps the runner's paths both ways). */
  get model(): ModelDocument | undefined {
    return this.document;
  }

  /** The snapshot the panel is showing (the newest step, or a history step the user picked). */
  get snapshot(): Snapshot | undefined {
    return this.shownSnapshot;
  }

  /** This run's warnings so far. */
  get warnings(): readonly ModelWarning[] {
    return this.runWarnings;
  }

  /** Every step's loss so far (for exports). */
  lossCurve(): { from: number; stride: number; losses: Float64Array } | undefined {
    return this.session?.losses();
  }

  /** Nodes of the shown graph created on this line (1-based) of this document. */
  nodesAt(document: vscode.Uri, line: number): number[] {
    const model = this.document;
    const t = this.shownSnapshot?.topology;
    if (!model || !t) return [];
    const locs = new Set<number>();
    t.locations.forEach((l, i) => l.line === line && model.locationIn(l.file, document) && locs.add(i));
    const out: number[] = [];
    if (locs.size) for (let i = 0; i < t.loc.length; i++) if (locs.has(t.loc[i])) out.push(i);
    return out;
  }

  /** Runs a document's current text (saved or not), replacing any earlier run. The panel forgets the last model. */
  async start(document: vscode.TextDocument, mode: StartMode): Promise<StartOutcome> {
    if (!vscode.workspace.isTrusted) {
      void explainRestrictedMode();
      return { started: false, reason: "untrusted" };
    }
    const start = ++this.starts;
    this.endSession();
    const model = new ModelDocument(document.uri);
    this.document = model;
    this.shownSnapshot = undefined;
    this.runWarnings = [];
    this.postReset();
    this.post(this.configMessage());
    this.setStatus({ state: "starting", step: 0, uri: model.uri, file: model.displayName });
    this.post(this.stateMessage());
    this.log.info(`running ${model.displayName}`);

    const { ModelSession } = await loadRunner();
    if (start !== this.starts) return { started: false, reason: "superseded" };
    const settings = readSettings(model.uri);
    const session = new ModelSession(
      {
        file: model.runnerPath,
        source: document.getText(),
        startPaused: mode === "paused",
        throttleMs: Math.round(1000 / settings.updateRate),
        maxNodesPerStep: settings.maxNodesPerStep,
        memoryLimitMb: settings.memoryLimitMb,
        values: "all",
        // Every node's numbers (~1 MB a step on moons) reach the host twice a second while training; the panel's
        // view gets its own updates at the update rate from the runner. A pause or the end brings the exact step.
        hostReportMs: HOST_REPORT_MS,
        health: readHealthSpec(model.uri),
      },
      this.runnerScript,
      // A warm runner process for the next start or restart: ~0.15 s instead of ~1–2 s (TypeScript loads in it).
      true,
    );
    this.session = session;
    this.sessionSubscription = session.onEvent((e) => {
      if (this.session === session) this.onSessionEvent(e);
    });
    this.syncView();
    await session.start();
    return { started: true, file: model.displayName };
  }

  /** Carries out a control on the loaded session (the dispatcher has checked that it can act). */
  async control(control: Control, n = 1): Promise<void> {
    const session = this.session;
    if (!session) return;
    switch (control) {
      case "step": return session.step();
      case "run": return session.run();
      case "pause": return session.pause();
      case "runN": return session.runSteps(n);
      case "stop": return session.stop();
      case "restart": return this.restart(session);
    }
  }

  /** The Restart control: the same model again from the top, with the editor's current text. */
  private async restart(session: ModelSession): Promise<void> {
    const model = this.document;
    if (!model) return;
    this.shownSnapshot = undefined;
    this.runWarnings = [];
    this.postReset();
    const document = vscode.workspace.textDocuments.find((d) => model.is(d.uri));
    await session.restart(document?.getText());
  }

  /** Asks the live run's runner process to replay a recorded step; false when there is no live run (the answer comes on onDidInsight). */
  insight(request: InsightRequest): boolean {
    if (!this.session || !this.isLive) return false;
    this.session.insight(request);
    return true;
  }

  /** New breakpoint conditions / detector thresholds for the live run. */
  configureHealth(spec: HealthSpec): void {
    if (this.isLive) this.session?.configureHealth(spec.breakOn, spec.options);
  }

  /** Shows an earlier step's snapshot (the panel's loss curve was clicked). */
  showHistoryStep(step: number): void {
    const snapshot = this.session?.snapshotAt(step);
    if (!snapshot) return;
    this.shownSnapshot = snapshot;
    this.showingHistory = true;
    this.post(graphSetMessage(snapshot));
    this.graphEmitter.fire(snapshot);
  }

  /** The panel's subscription: what it shows of the graph of `hash` (see protocol/panel.ts view/subscribe). */
  setViewSubscription(view: { hash: string; expanded: string[]; nodes: Int32Array<ArrayBuffer> }): void {
    this.panelView = view;
    this.syncView();
  }

  /** The panel has drawn the last view update (flow control: the runner sends the next only then). */
  viewAck(): void {
    this.session?.viewAck();
  }

  /** The panel came on screen (true) or went off it, or closed (false): a hidden panel is sent no step numbers. */
  setPanelShown(shown: boolean): void {
    if (shown === this.panelShown) return;
    this.panelShown = shown;
    this.syncView();
  }

  /** What a panel that was hidden needs to catch up: the newest graph and the whole loss curve, once. */
  coalescedState(): HostMessage[] {
    const messages: HostMessage[] = [];
    if (this.shownSnapshot) messages.push(graphSetMessage(this.shownSnapshot));
    if (this.session) {
      const { from, stride, losses } = this.session.losses();
      messages.push({ type: "loss/set", from: Math.max(1, from), stride, losses: losses as Float64Array<ArrayBuffer> });
    }
    return messages;
  }

  private viewActive(hash?: string): boolean {
    return this.panelShown && this.panelView !== undefined && (hash === undefined || this.panelView.hash === hash);
  }

  private syncView(): void {
    this.session?.subscribeView(this.viewActive() ? this.panelView : undefined);
  }

  /** Everything a freshly loaded view needs, in order: a view that reattaches shows exactly this run. */
  fullState(): HostMessage[] {
    const messages: HostMessage[] = [this.resetMessage(), this.configMessage(), this.stateMessage()];
    const snapshot = this.shownSnapshot;
    if (snapshot) messages.push(graphSetMessage(snapshot));
    if (this.session) {
      const { from, stride, losses } = this.session.losses();
      messages.push({ type: "loss/set", from: Math.max(1, from), stride, losses: losses as Float64Array<ArrayBuffer> });
      messages.push({ type: "history/available", steps: this.session.historySteps() });
    }
    for (const w of this.runWarnings) messages.push(this.warningMessage(w));
    return messages;
  }

  /** Asks the panel for an export it renders (SVG, PNG). */
  requestExport(format: "svg" | "png"): void {
    this.post({ type: "export/request", format });
  }

  /** Highlights nodes in the panel (cursor line → graph). */
  highlightNodes(nodes: number[]): void {
    this.post({ type: "nodes/highlight", nodes });
  }

  private onSessionEvent(e: SessionEvent): void {
    switch (e.type) {
      case "state":
        this.setStatus({ ...this.status, state: e.state, step: e.step, error: e.error ?? (e.state === "error" ? this.status.error : undefined) });
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
        this.showingHistory = false;
        // A panel subscribed to this shape gets the step as view/update (what it shows only) from the runner.
        if (newShape) this.post(graphSetMessage(s));
        else if (!this.viewActive(s.topology.hash)) this.post({ type: "step/update", step: s.step, loss: s.loss, values: s.values, updates: s.updates });
        this.graphEmitter.fire(s);
        return;
      }
      case "view": {
        const u = e.update;
        // Not while the panel shows a history step (the next live report ends that); the panel cannot ack what it never gets.
        if (!this.viewActive(u.hash) || this.showingHistory || this.shownSnapshot?.topology.hash !== u.hash) return this.session?.viewAck();
        this.post({ type: "view/update", step: u.step, loss: u.loss, hash: u.hash, nodes: u.nodes as Int32Array<ArrayBuffer>, data: u.data as Float64Array<ArrayBuffer>, grad: u.grad as Float64Array<ArrayBuffer>, groups: u.groups as Int32Array<ArrayBuffer>, agg: u.agg as Float64Array<ArrayBuffer>, updates: u.updates });
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
      case "finding":
      case "break":
      case "insight":
        this.insightEmitter.fire(e);
        return;
      case "warning": {
        const model = this.document;
        if (!model) return;
        this.warn({ message: e.message, uri: e.loc ? model.uriOf(e.loc.file) : model.uri, line: e.loc?.line });
        return;
      }
      case "end":
        this.log.info(`run ended: ${e.reason} after ${e.steps} step${e.steps === 1 ? "" : "s"}${e.error ? ` — ${e.error.message}` : ""}`);
        if (e.error) this.setStatus({ ...this.status, state: "error", error: e.error });
        // A model that never reached backward() would otherwise just say "finished, step 0".
        if (e.reason === "finished" && e.steps === 0 && !e.error && this.runWarnings.length === 0 && this.document) {
          this.warn({ message: e.detail ?? NO_BACKWARD, uri: this.document.uri });
        }
        return;
    }
  }

  private warn(w: ModelWarning): void {
    // The same warning at the same place once per run (a loop would repeat it every step).
    if (this.runWarnings.some((o) => o.message === w.message && o.line === w.line && o.uri.toString() === w.uri.toString())) return;
    this.runWarnings.push(w);
    this.log.warn(`${w.message}${w.line ? ` (line ${w.line})` : ""}`);
    this.post(this.warningMessage(w));
    this.warningEmitter.fire(w);
  }

  private warningMessage(w: ModelWarning): HostMessage {
    return { type: "model/warning", message: w.message, file: w.uri.scheme === "file" ? w.uri.fsPath : this.document?.displayName, line: w.line };
  }

  /** A new run's first messages: forget the last model; an empty loss curve for views that predate session/reset. */
  private postReset(): void {
    this.post(this.resetMessage());
    this.post({ type: "loss/set", from: 1, losses: new Float64Array(0) });
  }

  private resetMessage(): HostMessage {
    const model = this.document;
    return { type: "session/reset", file: model?.displayName, title: model ? path.basename(model.displayName) : undefined };
  }

  private configMessage(): HostMessage {
    return { type: "config/set", collapseThreshold: readSettings(this.document?.uri).collapseThreshold };
  }

  private stateMessage(): HostMessage {
    const { state, step, file, error } = this.status;
    // Error locations as the user knows the file (an untitled model's title, not its runner path).
    const shownError = error?.file && this.document ? { ...error, file: this.document.displayPath(error.file) } : error;
    return { type: "session/state", state, step, file, error: shownError };
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

async function explainRestrictedMode(): Promise<void> {
  const manage = "Manage Workspace Trust";
  const choice = await vscode.window.showWarningMessage(
    "Gradscope does not run model code in Restricted Mode: a model is a program, and this workspace is not trusted. " +
      "Trust the workspace (Manage Workspace Trust) to visualize its models.",
    manage,
  );
  if (choice === manage) await vscode.commands.executeCommand("workbench.trust.manage");
}
