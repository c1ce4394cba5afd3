import * as vscode from "vscode";
import { answerInsight } from "../analysis/insight";
import type { Break, BreakOn, Finding, GradcheckRow } from "../protocol/health";
import type { InsightRequest, InsightResponse } from "../protocol/insight";
import { HOST_IDS, isInsightMessage, parseInsightViewMessage, type InsightHostMessage } from "../protocol/insightPanel";
import type { CodeGraphLink } from "./codeGraphLink";
import { Disposable } from "./disposable";
import type { GraphPanel } from "./graphPanel";
import type { GraphPanels } from "./graphPanels";
import { affectsHealth, readHealthSpec } from "./insightSettings";
import type { ModelController } from "./modelController";
import type { OutputLog } from "./outputLog";
import { decodeNonFinite, encodeNonFinite } from "../protocol/wire";

/**
 * The host's side of issue 10's insight: it keeps this run's findings and
 * breakpoint hit (for the panel, which may open later, and for diagnostics),
 * relays the panel's `insight/*` questions, and reveals a breakpoint's node and
 * line. Questions go to the live run's runner process, which replays the step
 * from its history (src/runner/process/insightRequests.ts); once the run is
 * over (its runner is gone) the host replays the snapshot it shows with the
 * same pure code (src/analysis/insight.ts).
 */

/** How long the host's own question waits for the runner before the host answers it itself. */
const RUNNER_TIMEOUT_MS = 20_000;

export class InsightHost extends Disposable {
  private findings: Finding[] = [];
  private hit: Break | null = null;
  private attached?: GraphPanel;
  private attachment?: vscode.Disposable;
  private hostIds = HOST_IDS;
  /** What pauses this run: the settings at its start, then the panel's toggles. */
  private breakOn: BreakOn = readHealthSpec().breakOn ?? { nan: true };
  /** The host's own questions (Check Gradients) waiting for the runner's answer. */
  private readonly waiting = new Map<number, (r: InsightResponse) => void>();

  private readonly findEmitter = this.register(new vscode.EventEmitter<Finding>());
  /** A new finding of this run. */
  readonly onDidFind = this.findEmitter.event;
  private readonly resetEmitter = this.register(new vscode.EventEmitter<void>());
  /** A new run started: findings cleared. */
  readonly onDidReset = this.resetEmitter.event;
  private readonly breakEmitter = this.register(new vscode.EventEmitter<Break>());
  readonly onDidBreak = this.breakEmitter.event;

  constructor(
    private readonly controller: ModelController,
    private readonly panels: GraphPanels,
    private readonly codeGraph: CodeGraphLink,
    private readonly log: OutputLog,
  ) {
    super();
    // A start and a restart both begin with session/reset: that is when a run's findings end.
    this.register(controller.onHostMessage((m) => { if (m.type === "session/reset") this.reset(); }));
    this.register(controller.onDidChangeStatus((s) => { if (s.state === "running" && this.hit) this.setBreak(null); }));
    this.register(controller.onDidInsight((e) => {
      if (e.type === "finding") this.report(e.finding);
      else if (e.type === "break") void this.pauseAt(e.brk);
      else this.answered(e.response);
    }));
    this.register(vscode.workspace.onDidChangeConfiguration((e) => {
      if (!affectsHealth(e, controller.model?.uri)) return;
      const spec = readHealthSpec(controller.model?.uri);
      this.setBreakOn(spec.breakOn ?? {});
      controller.configureHealth({ options: spec.options });
    }));
    this.register(panels.onDidChange(() => this.attach(panels.current)));
    this.register({ dispose: () => this.attachment?.dispose() });
    this.attach(panels.current);
  }

  get currentFindings(): readonly Finding[] { return this.findings; }
  get currentBreak(): Break | null { return this.hit; }
  get currentBreakOn(): BreakOn { return this.breakOn; }

  /** A finding from the runner's detectors (its `health/finding` event). */
  report(finding: Finding): void {
    if (this.findings.some((f) => f.kind === finding.kind && f.node === finding.node && f.label === finding.label)) return;
    this.findings.push(finding);
    this.log.warn(`health: ${finding.kind} ${finding.label}: ${finding.detail} (step ${finding.step})`);
    this.post({ type: "insight/findings", findings: this.findings });
    this.findEmitter.fire(finding);
  }

  /** The run paused (or ended) at a training breakpoint: show why, reveal its node in the panel and its line in the editor. */
  async pauseAt(hit: Break): Promise<vscode.TextEditor | undefined> {
    this.setBreak(hit);
    this.breakEmitter.fire(hit);
    this.log.warn(`breakpoint (${hit.kind}) at step ${hit.step}: ${hit.message}`);
    if (hit.node >= 0 && this.controller.snapshot && hit.node < this.controller.snapshot.topology.op.length) {
      const shown = await this.codeGraph.revealNode(hit.node);
      if (shown) return shown;
    }
    return hit.location ? this.revealLine(hit.location.file, hit.location.line) : undefined;
  }

  /** Gradient check of every parameter (every leaf without parameters) of the step shown; the panel shows the table. */
  async checkGradients(): Promise<GradcheckRow[] | undefined> {
    const s = this.controller.snapshot;
    if (!s) {
      void vscode.window.showInformationMessage("Gradscope: run a model first (Visualize Backward Pass); gradcheck replays the step on screen.");
      return undefined;
    }
    const req: InsightRequest = { kind: "gradcheck", id: this.hostIds++, step: Math.max(1, s.step) };
    const answer = await this.ask(req);
    const panel = this.panels.show();
    await panel.whenReady();
    this.post({ type: "insight/response", response: answer });
    if (answer.kind !== "gradcheck") { this.log.warn(`gradcheck: ${answer.kind === "error" ? answer.message : answer.kind}`); return undefined; }
    const flagged = answer.rows.filter((r) => r.flagged);
    this.log.info(`gradcheck at step ${answer.step}: ${answer.rows.length} checked, ${flagged.length} flagged${flagged.length ? `: ${flagged.slice(0, 5).map((r) => `${r.label} (${r.relError.toExponential(1)})`).join(", ")}` : ""}`);
    return answer.rows;
  }

  /** A message from the panel: `insight/*` only (the rest is the panel protocol's). */
  receive(raw: unknown): void {
    const v = parseInsightViewMessage(raw);
    if (!v.ok) { this.log.warn(`dropped a message from the panel: ${v.error}`); return; }
    const m = v.message;
    if (m.type === "insight/reveal") { void this.revealLine(m.file, m.line); return; }
    if (m.type === "insight/breakOn") { this.setBreakOn(m.breakOn); return; }
    // The runner answers from its step history (the answer comes back through answered()); without a live run, the host replays.
    if (!this.controller.insight(m.request)) this.post({ type: "insight/response", response: this.replayHere(m.request) });
  }

  /** The host's own question: the runner's answer when the run is live (the host's replay if it does not come), else the host's. */
  private ask(req: InsightRequest): Promise<InsightResponse> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.waiting.delete(req.id); resolve(this.replayHere(req)); }, RUNNER_TIMEOUT_MS);
      this.waiting.set(req.id, (r) => { clearTimeout(timer); resolve(r); });
      if (!this.controller.insight(req)) { this.waiting.delete(req.id); clearTimeout(timer); resolve(this.replayHere(req)); }
    });
  }

  /** The runner's answer: to the host's own question, or relayed unchanged to the panel. */
  private answered(r: InsightResponse): void {
    const waiter = this.waiting.get(r.id);
    if (waiter) { this.waiting.delete(r.id); waiter(r); return; }
    this.post({ type: "insight/response", response: r });
  }

  /** The same replay the runner does (src/analysis/insight.ts), on the snapshot the host shows. */
  private replayHere(req: InsightRequest): InsightResponse {
    const s = this.controller.snapshot;
    if (!s) return { kind: "error", id: req.id, request: req.kind, message: "No step to replay yet: the model has not called backward()." };
    if (s.values.data.length !== s.topology.op.length) return { kind: "error", id: req.id, request: req.kind, message: "The host does not hold this step's numbers; run the model again to ask about it." };
    const same = s.step === req.step;
    return answerInsight(req, { step: s.step, loss: s.loss, topology: s.topology, data: s.values.data, grad: s.values.grad, updates: s.updates },
      same ? { source: "history" } : { source: "latest", note: `step ${req.step} is not held any more; answered from step ${s.step}` });
  }

  /**
   * New breakpoint conditions for the live run. The runner merges what it is sent into what it
   * has, so a condition turned off is sent as an explicit undefined (kept by zod and by the
   * structured clone of the IPC), which clears it there.
   */
  private setBreakOn(b: BreakOn): void {
    this.breakOn = { nan: b.nan ?? false, findings: b.findings ?? [], ...(b.lossUpPct ? { lossUpPct: b.lossUpPct } : {}), ...(b.gradAbove ? { gradAbove: b.gradAbove } : {}) };
    this.controller.configureHealth({ breakOn: { lossUpPct: undefined, gradAbove: undefined, ...this.breakOn } });
    this.post({ type: "insight/breakOn", breakOn: this.breakOn });
  }

  private setBreak(hit: Break | null): void {
    this.hit = hit;
    this.post({ type: "insight/break", hit });
  }

  private reset(): void {
    this.findings = [];
    this.hit = null;
    this.breakOn = readHealthSpec(this.controller.model?.uri).breakOn ?? { nan: true };
    this.post({ type: "insight/breakOn", breakOn: this.breakOn });
    this.post({ type: "insight/findings", findings: [] });
    this.post({ type: "insight/break", hit: null });
    this.resetEmitter.fire();
  }

  private async revealLine(file: string, line: number): Promise<vscode.TextEditor | undefined> {
    const model = this.controller.model;
    if (!model) return undefined;
    const uri = model.uriOf(file);
    const at = new vscode.Position(line - 1, 0);
    const column = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString())?.viewColumn ?? vscode.ViewColumn.One;
    try {
      return await vscode.window.showTextDocument(uri, { viewColumn: column, selection: new vscode.Range(at, at), preserveFocus: true });
    } catch {
      return undefined;
    }
  }

  /** Listens to the open panel's messages and sends it this run's findings whenever it (re)loads. */
  private attach(panel: GraphPanel | undefined): void {
    if (panel === this.attached) return;
    this.attachment?.dispose();
    this.attached = panel;
    if (!panel) { this.attachment = undefined; return; }
    this.attachment = vscode.Disposable.from(
      panel.panel.webview.onDidReceiveMessage((wire: unknown) => { const raw = decodeNonFinite(wire); if (isInsightMessage(raw)) this.receive(raw); }),
      panel.onDidBecomeReady(() => {
        this.post({ type: "insight/breakOn", breakOn: this.breakOn });
        this.post({ type: "insight/findings", findings: this.findings });
        this.post({ type: "insight/break", hit: this.hit });
      }),
    );
  }

  private post(message: InsightHostMessage): void {
    const panel = this.panels.current;
    if (panel?.isReady) void panel.panel.webview.postMessage(encodeNonFinite(message));
  }
}
