import * as path from "node:path";
import * as vscode from "vscode";
import type { Control } from "../protocol/run";
import { resolveControl, type ControlFacts, type ControlRequest, type ControlTarget } from "./controlResolution";
import { importsGradscope, isModelLanguage } from "./gradscopeImports";
import type { GraphPanels } from "./graphPanels";
import type { ModelController, StartMode, StartOutcome } from "./modelController";

export const LAST_MODEL_KEY = "gradscope.lastModel";

/** Where a control came from: the panel acts on the session only; the others may name or have a document. */
export type ControlOrigin = "panel" | "command" | "codeLens";

export interface ControlOptions {
  origin: ControlOrigin;
  /** The document the request names (CodeLens, editor menus). */
  uri?: vscode.Uri;
  /** Run N: how many steps (asked for when missing). */
  n?: number;
}

export type ControlOutcome =
  | { acted: true; control: Control }
  | { acted: true; started: StartOutcome }
  | { acted: false; reason: string };

/**
 * The one dispatcher every surface calls — panel buttons and keys, palette commands,
 * keybindings, CodeLens, status bar. It asks resolveControl what a control means in the current
 * run state, then acts on the session, starts a model, or says why it cannot.
 */
export class RunControls implements vscode.Disposable {
  private readonly refusedEmitter = new vscode.EventEmitter<{ request: ControlRequest; reason: string }>();
  /** A control could not act and the user was told why (tests observe this). */
  readonly onDidRefuse = this.refusedEmitter.event;

  constructor(
    private readonly controller: ModelController,
    private readonly panels: GraphPanels,
    private readonly workspaceState: vscode.Memento,
  ) {}

  /** The facts resolveControl decides on, for a target (the context keys use this too). */
  facts(target?: ControlTarget): ControlFacts {
    const c = this.controller;
    return { state: c.hasSession ? c.currentStatus.state : "idle", sessionModel: c.model?.uri.toString(), target };
  }

  /** Visualize: start the named or active model, paused at its first backward(). */
  async visualize(uri?: vscode.Uri): Promise<StartOutcome> {
    const document = uri ? await openDocument(uri) : this.modelInView();
    const resolution = resolveControl("visualize", this.facts(document && targetOf(document, uri !== undefined)));
    if (resolution.kind !== "start" || !document) {
      this.refuse("visualize", resolution.kind === "refuse" ? resolution.reason : "Nothing to visualize.", false);
      return { started: false, reason: document ? "not-a-model" : "no-editor" };
    }
    return this.start(document, "paused");
  }

  /** Any run control, from any surface. */
  async perform(request: Exclude<ControlRequest, "visualize">, options: ControlOptions): Promise<ControlOutcome> {
    const document = options.origin === "panel" ? undefined : options.uri ? await openDocument(options.uri) : this.activeDocument();
    const resolution = resolveControl(request, this.facts(document && targetOf(document, options.uri !== undefined)));
    switch (resolution.kind) {
      case "refuse":
        this.refuse(request, resolution.reason, resolution.offerRestart);
        return { acted: false, reason: resolution.reason };
      case "start": {
        const n = request === "runN" ? (options.n ?? (await askStepCount())) : undefined;
        if (request === "runN" && !n) return { acted: false, reason: "No step count given." };
        const started = await this.start(document!, resolution.mode);
        if (n && started.started) await this.controller.control("runN", n);
        return { acted: true, started };
      }
      case "session": {
        const n = resolution.control === "runN" ? (options.n ?? (await askStepCount())) : undefined;
        if (resolution.control === "runN" && !n) return { acted: false, reason: "No step count given." };
        await this.controller.control(resolution.control, n);
        return { acted: true, control: resolution.control };
      }
    }
  }

  /**
   * The document a control without a named file is about: the active editor's — unless the panel
   * has focus (VS Code then still reports the last text editor as active): then the session's.
   */
  activeDocument(): vscode.TextDocument | undefined {
    if (this.panels.current?.panel.active) return undefined;
    return vscode.window.activeTextEditor?.document;
  }

  /** Shows the panel and runs a document's current text, saved or not. */
  private async start(document: vscode.TextDocument, mode: StartMode): Promise<StartOutcome> {
    if (!vscode.workspace.isTrusted) return this.controller.start(document, mode); // explains and refuses
    this.panels.show();
    if (document.uri.scheme === "file") void this.workspaceState.update(LAST_MODEL_KEY, document.uri.toString());
    return this.controller.start(document, mode);
  }

  private refuse(request: ControlRequest, reason: string, offerRestart: boolean): void {
    this.refusedEmitter.fire({ request, reason });
    const restart = "Restart";
    void vscode.window.showInformationMessage(`Gradscope: ${reason}`, ...(offerRestart ? [restart] : [])).then((choice) => {
      if (choice === restart) void this.perform("restart", { origin: "command" });
    });
  }

  /**
   * The model Visualize means without a named file: the active editor; with the panel focused,
   * the loaded model's editor, else a visible editor that imports gradscope.
   */
  private modelInView(): vscode.TextDocument | undefined {
    const active = vscode.window.activeTextEditor?.document;
    if (active) return active;
    const visible = vscode.window.visibleTextEditors.map((e) => e.document);
    return visible.find((d) => this.controller.model?.is(d.uri)) ?? visible.find((d) => isModelLanguage(d) && importsGradscope(d.getText()));
  }

  dispose(): void {
    this.refusedEmitter.dispose();
  }
}

/** What resolveControl needs to know of a document. */
export function targetOf(document: vscode.TextDocument, named: boolean): ControlTarget {
  return {
    uri: document.uri.toString(),
    name: document.uri.scheme === "file" ? vscode.workspace.asRelativePath(document.uri) : path.basename(document.uri.path),
    isModel: isModelLanguage(document) && importsGradscope(document.getText()),
    named,
  };
}

async function openDocument(uri: vscode.Uri): Promise<vscode.TextDocument | undefined> {
  try {
    return await vscode.workspace.openTextDocument(uri);
  } catch {
    return undefined;
  }
}

async function askStepCount(): Promise<number | undefined> {
  const answer = await vscode.window.showInputBox({
    title: "Run N Steps",
    prompt: "How many backward() steps to run",
    value: "10",
    validateInput: (v) => (/^\s*[1-9]\d{0,8}\s*$/.test(v) ? undefined : "A whole number from 1"),
  });
  return answer ? Number(answer.trim()) : undefined;
}
