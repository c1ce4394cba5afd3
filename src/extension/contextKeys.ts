import * as vscode from "vscode";
import { isEnded } from "../protocol/run";
import { resolveControl } from "./controlResolution";
import { Disposable } from "./disposable";
import { importsGradscope, isModelLanguage } from "./gradscopeImports";
import type { GraphPanels } from "./graphPanels";
import type { ModelController } from "./modelController";
import { targetOf, type RunControls } from "./runControls";

/**
 * The `gradscope.*` context keys, kept in step with the run state and the active editor, so
 * menus and keybindings appear only where they can act. `canStep` / `canToggleRun` ask the
 * dispatcher's own question (resolveControl) about the active editor — or, with the panel
 * focused, about the session.
 *
 *   gradscope.editorIsModel  the active (or last active) editor imports "gradscope"
 *   gradscope.hasSession     a model is loaded (running or over: restart, export)
 *   gradscope.sessionActive  its run is live (starting, running, paused)
 *   gradscope.running        it is running
 *   gradscope.runState       idle | starting | running | paused | finished | stopped | error
 *   gradscope.canStep        the Step key would act here
 *   gradscope.canToggleRun   the Run/Pause key would act here
 */
export class ContextKeys extends Disposable {
  private readonly values = new Map<string, unknown>();
  private pending: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly controller: ModelController, private readonly controls: RunControls, panels: GraphPanels) {
    super();
    this.register(vscode.window.onDidChangeActiveTextEditor(() => this.update()));
    this.register(controller.onDidChangeStatus(() => this.update()));
    // Focus moving into or out of the panel changes what the keys act on.
    this.register(panels.onDidChange(() => this.update()));
    this.register(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document !== vscode.window.activeTextEditor?.document) return;
        clearTimeout(this.pending);
        this.pending = setTimeout(() => this.update(), 300);
      }),
    );
    this.register({ dispose: () => clearTimeout(this.pending) });
    this.update();
  }

  private update(): void {
    const document = this.controls.activeDocument();
    const state = this.controller.hasSession ? this.controller.currentStatus.state : "idle";
    const facts = this.controls.facts(document && targetOf(document, false));
    const acts = (r: ReturnType<typeof resolveControl>) => r.kind !== "refuse";
    // With the panel focused the last editor's answer stands: Visualize then uses a visible model.
    if (document) this.set("gradscope.editorIsModel", isModelLanguage(document) && importsGradscope(document.getText()));
    this.set("gradscope.hasSession", this.controller.hasSession);
    this.set("gradscope.sessionActive", this.controller.hasSession && !isEnded(state));
    this.set("gradscope.running", state === "running");
    this.set("gradscope.runState", state);
    this.set("gradscope.canStep", acts(resolveControl("step", facts)));
    this.set("gradscope.canToggleRun", acts(resolveControl("toggle", facts)));
  }

  /** setContext only on change: status changes come every step while training. */
  private set(key: string, value: unknown): void {
    if (this.values.get(key) === value) return;
    this.values.set(key, value);
    void vscode.commands.executeCommand("setContext", key, value);
  }

  /** The current values (tests read them). */
  get current(): Record<string, unknown> {
    return Object.fromEntries(this.values);
  }
}
