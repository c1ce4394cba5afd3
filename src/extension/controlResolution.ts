import { controlsFor, isEnded, type Control, type RunState } from "../protocol/run";

/**
 * What a run control means right now — the single rule behind the panel's buttons, the
 * palette, the keys, the CodeLens and the status bar. Pure: it sees only plain facts, so the
 * context keys that decide where the keys are bound ask exactly the question the dispatcher does.
 */

/** A control from any surface: the run controls, plus the two that start a model. */
export type ControlRequest = Control | "toggle" | "visualize";

/** The document a request is about: the one it names (CodeLens, editor menus) or the active editor. */
export interface ControlTarget {
  /** Document URI, as a string. */
  uri: string;
  /** What the user calls it (for messages). */
  name: string;
  /** It imports "gradscope", so it is a model Gradscope can run. */
  isModel: boolean;
  /** The request named this document (a CodeLens, a menu on that file), rather than it merely being active. */
  named: boolean;
}

export interface ControlFacts {
  /** The state of the loaded session, "idle" when there is none. */
  state: RunState;
  /** The loaded session's model (document URI string), if any. */
  sessionModel?: string;
  target?: ControlTarget;
}

export type Resolution =
  /** Send this control to the loaded session. */
  | { kind: "session"; control: Control }
  /** Start the target model (paused at its first backward(), or running). */
  | { kind: "start"; uri: string; mode: "paused" | "running" }
  /** Nothing can act: tell the user why (and offer Restart when it would help). */
  | { kind: "refuse"; reason: string; offerRestart: boolean };

export function resolveControl(request: ControlRequest, facts: ControlFacts): Resolution {
  const { state, sessionModel, target } = facts;
  const targetIsSession = target !== undefined && target.uri === sessionModel;
  const startTarget = (mode: "paused" | "running"): Resolution => {
    if (!target) return refuse('Open a model (a TypeScript file that imports "gradscope") to visualize it.');
    if (!target.isModel) return refuse(`${target.name} does not import "gradscope", so it is not a model Gradscope can run. Open a file that does.`);
    return { kind: "start", uri: target.uri, mode };
  };

  if (request === "visualize") return startTarget("paused");

  const control: Control = request === "toggle" ? (state === "running" ? "pause" : "run") : request;
  const startsAModel = control === "step" || control === "run" || control === "runN";

  // Another model than the session's, named or (once the session's run is over) active: start it.
  if (startsAModel && target && !targetIsSession && (target.named || !sessionModel || isEnded(state))) {
    if (target.isModel || target.named || !sessionModel) return startTarget(control === "run" ? "running" : "paused");
  }
  if (!sessionModel) {
    if (control === "restart") return refuse("No model has run yet: Visualize a model first.");
    if (startsAModel) return startTarget(control === "run" ? "running" : "paused");
    return refuse(controlsFor("idle")[control].reason ?? "Nothing is running.");
  }
  if (request === "toggle" && state === "starting") return refuse("The model is starting.");
  const availability = controlsFor(state)[control];
  if (availability.enabled) return { kind: "session", control };
  return refuse(availability.reason ?? "This control cannot act now.", isEnded(state) && controlsFor(state).restart.enabled);
}

function refuse(reason: string, offerRestart = false): Resolution {
  return { kind: "refuse", reason, offerRestart };
}
