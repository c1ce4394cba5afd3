import * as vscode from "vscode";
import { nodeName } from "../graph/nodeName";
import type { Snapshot } from "../protocol/graph";
import type { BreakOn, Break, Finding, FindingKind, GradcheckRow, HealthOptions } from "../protocol/health";
import { FINDING_KINDS } from "../protocol/health";
import { OPS } from "../protocol/ops";
import { isInsightMessage, parseInsightViewMessage, type InsightHostMessage, type InsightViewMessage } from "../protocol/insightPanel";
import type { CodeGraphLink } from "./codeGraphLink";
import { Disposable } from "./disposable";
import type { GraphPanel } from "./graphPanel";
import type { GraphPanels } from "./graphPanels";
import { checkableLeaves, explain, gradcheck, whatIf } from "./insightReplay";
import type { ModelController } from "./modelController";
import type { OutputLog } from "./outputLog";

/**
 * The host's side of issue 10's insight: it keeps this run's findings and
 * breakpoint hit (for the panel, which may open later, and for diagnostics),
 * answers the panel's `insight/*` questions, and reveals a breakpoint's node
 * and line. Questions about a step are answered by replaying the snapshot the
 * panel shows (src/extension/insightReplay.ts) until the runner process
 * answers them from its history ring.
 */

/** Leaves a "check all" covers at most in the host: each costs two forward replays of the graph. */
const MAX_CHECKED = 2000;

export class InsightHost extends Disposable {
  private findings: Finding[] = [];
  private hit: Break | null = null;
  /** True once the runner reported a finding this run: the host's own NaN scan then stands down. */
  private runnerFindings = false;
  private attached?: GraphPanel;
  private attachment?: vscode.Disposable;

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
    this.register(controller.onDidChangeGraph((s) => this.scanNonFinite(s)));
    this.register(panels.onDidChange(() => this.attach(panels.current)));
    this.register({ dispose: () => this.attachment?.dispose() });
    this.attach(panels.current);
  }

  get currentFindings(): readonly Finding[] { return this.findings; }
  get currentBreak(): Break | null { return this.hit; }

  /** A finding from the runner (its `finding` event) — or from the host's own scan. */
  report(finding: Finding, fromRunner = true): void {
    if (fromRunner && !this.runnerFindings) {
      // The runner's detectors supersede the host's stand-in NaN scan.
      this.runnerFindings = true;
      this.findings = this.findings.filter((f) => f.kind !== "nan-origin");
    }
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
    if (hit.node >= 0 && this.controller.snapshot && hit.node < this.controller.snapshot.topology.op.length) return this.codeGraph.revealNode(hit.node);
    return hit.location ? this.revealLine(hit.location.file, hit.location.line) : undefined;
  }

  /** Gradient check of every parameter (every leaf without parameters) of the step shown; the panel shows the table. */
  async checkGradients(): Promise<GradcheckRow[] | undefined> {
    const s = this.controller.snapshot;
    if (!s) {
      void vscode.window.showInformationMessage("Gradscope: run a model first (Visualize Backward Pass); gradcheck replays the step on screen.");
      return undefined;
    }
    const answer = this.gradcheckAnswer(0, s, null);
    const panel = this.panels.show();
    await panel.whenReady();
    this.post(answer);
    if (answer.type !== "insight/gradcheck") return undefined;
    const flagged = answer.rows.filter((r) => r.flagged);
    this.log.info(`gradcheck at step ${s.step}: ${answer.rows.length} checked, ${flagged.length} flagged${flagged.length ? `: ${flagged.slice(0, 5).map((r) => `${r.label} (${r.relError.toExponential(1)})`).join(", ")}` : ""}`);
    return answer.rows;
  }

  /** A message from the panel: `insight/*` only (the rest is the panel protocol's). */
  receive(raw: unknown): void {
    const v = parseInsightViewMessage(raw);
    if (!v.ok) { this.log.warn(`dropped a message from the panel: ${v.error}`); return; }
    const answer = this.answer(v.message);
    if (answer) this.post(answer);
  }

  /** Settings the run honours: when to pause (gradscope.breakOn.*) and the detectors' thresholds (gradscope.health.*). */
  static settings(scope?: vscode.Uri): { breakOn: BreakOn; health: HealthOptions } {
    const c = vscode.workspace.getConfiguration("gradscope", scope);
    const positive = (key: string) => { const v = c.get<number>(key, 0); return v > 0 ? v : undefined; };
    const findings = c.get<string[]>("breakOn.findings", []).filter((k): k is FindingKind => (FINDING_KINDS as readonly string[]).includes(k));
    const breakOn: BreakOn = { nan: c.get<boolean>("breakOn.nan", true), lossUpPct: positive("breakOn.lossUpPercent"), gradAbove: positive("breakOn.gradAbove"), findings };
    const health: HealthOptions = {
      deadReluSteps: c.get<number>("health.deadReluSteps"), saturationLevel: c.get<number>("health.saturationLevel"),
      saturationShare: c.get<number>("health.saturationShare"), depthDecades: c.get<number>("health.vanishingDecades"),
    };
    for (const o of [breakOn, health] as Record<string, unknown>[]) for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
    return { breakOn, health };
  }

  private answer(m: InsightViewMessage): InsightHostMessage | undefined {
    const s = this.controller.snapshot;
    if (m.type === "insight/reveal") { void this.revealLine(m.file, m.line); return undefined; }
    const none = "No step to replay yet.";
    try {
      switch (m.type) {
        case "insight/gradcheck": return this.gradcheckAnswer(m.id, s, m.nodes);
        case "insight/whatif": {
          if (!s) throw new Error(none);
          const w = whatIf(s, m.node, m.value);
          return { type: "insight/whatif", id: m.id, step: s.step, node: m.node, ...w };
        }
        case "insight/explain": {
          if (!s) throw new Error(none);
          if (m.node >= s.topology.op.length) throw new Error("That node is not in the step shown.");
          const e = explain(s, m.node, m.k, (i) => nodeName(s.topology, i));
          return { type: "insight/explain", id: m.id, step: s.step, node: m.node, recorded: s.values.grad[m.node], ...e };
        }
      }
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      const step = s?.step ?? 0;
      if (m.type === "insight/whatif") return { type: m.type, id: m.id, step, node: m.node, from: NaN, to: m.value, grad: NaN, lossBefore: NaN, lossAfter: NaN, predicted: NaN, actual: NaN, moved: new Float64Array(0), error };
      if (m.type === "insight/gradcheck") return { type: m.type, id: m.id, step, rows: [], error };
      return { type: m.type, id: m.id, step, node: m.node, gradient: NaN, recorded: NaN, paths: [], pathCount: 0, shownSum: 0, error };
    }
  }

  private gradcheckAnswer(id: number, s: Snapshot | undefined, nodes: number[] | null): InsightHostMessage {
    if (!s) return { type: "insight/gradcheck", id, step: 0, rows: [], error: "No step to replay yet." };
    const all = nodes ?? checkableLeaves(s.topology);
    const leaves = all.slice(0, MAX_CHECKED);
    const rows = gradcheck(s, leaves, (i) => nodeName(s.topology, i));
    if (nodes && rows.length === 0) return { type: "insight/gradcheck", id, step: s.step, rows, error: "Gradcheck checks inputs and parameters (leaves): select one." };
    return { type: "insight/gradcheck", id, step: s.step, rows, truncated: all.length - leaves.length || undefined };
  }

  /**
   * Until the runner reports findings: the first node, in creation order, whose data is
   * non-finite, else the last whose grad is (backward runs in reverse) — once per run.
   */
  private scanNonFinite(s: Snapshot): void {
    if (this.runnerFindings || this.findings.some((f) => f.kind === "nan-origin")) return;
    const { data, grad } = s.values, t = s.topology;
    let node = -1, what = "";
    for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) { node = i; what = `data ${data[i]}`; break; }
    if (node < 0) for (let i = grad.length - 1; i >= 0; i--) if (!Number.isFinite(grad[i])) { node = i; what = `grad ${grad[i]}`; break; }
    if (node < 0) return;
    const inputs = [t.in0[node], t.in1[node]].filter((j) => j >= 0).map((j) => `${nodeName(t, j)} = ${data[j]}`);
    const op = nodeOpTextSafe(t, node);
    this.report({
      kind: "nan-origin", step: s.step, node, label: nodeName(t, node), op,
      detail: `${op || "leaf"}${inputs.length ? ` of ${inputs.join(", ")}` : ""} → ${what}, first in step ${s.step}`,
      location: t.loc[node] >= 0 ? t.locations[t.loc[node]] : undefined,
    }, false);
  }

  private setBreak(hit: Break | null): void {
    this.hit = hit;
    this.post({ type: "insight/break", hit });
  }

  private reset(): void {
    this.findings = [];
    this.hit = null;
    this.runnerFindings = false;
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
      panel.panel.webview.onDidReceiveMessage((raw: unknown) => { if (isInsightMessage(raw)) this.receive(raw); }),
      panel.onDidBecomeReady(() => { this.post({ type: "insight/findings", findings: this.findings }); this.post({ type: "insight/break", hit: this.hit }); }),
    );
  }

  private post(message: InsightHostMessage): void {
    const panel = this.panels.current;
    if (panel?.isReady) void panel.panel.webview.postMessage(message);
  }
}

function nodeOpTextSafe(t: Snapshot["topology"], i: number): string {
  return t.op[i] === 0 ? "" : (OPS[t.op[i]]?.name ?? "");
}
