import { z } from "zod";

/**
 * The life of a run: one state machine that the panel toolbar, the status bar,
 * the CodeLens and the commands all read (see controlsFor below).
 *   idle → starting (compiling, launching) → running ⇄ paused → finished | stopped | error
 */
export const RunStateSchema = z.enum(["idle", "starting", "running", "paused", "finished", "stopped", "error"]);
export type RunState = z.infer<typeof RunStateSchema>;

/** A run that is over: controls that act on it restart the model instead. */
export function isEnded(state: RunState): boolean {
  return state === "idle" || state === "finished" || state === "stopped" || state === "error";
}

/** Everything a user can do to a run, from any surface (panel, palette, keys, CodeLens, status bar). */
export const ControlSchema = z.enum(["step", "run", "pause", "runN", "stop", "restart"]);
export type Control = z.infer<typeof ControlSchema>;

export interface ControlAvailability {
  enabled: boolean;
  /** Why it is disabled (for a title/tooltip), when it is. */
  reason?: string;
}

/** Which controls can act in a state, and why not — the one table every surface shows. */
export function controlsFor(state: RunState): Record<Control, ControlAvailability> {
  const on: ControlAvailability = { enabled: true };
  const off = (reason: string): ControlAvailability => ({ enabled: false, reason });
  switch (state) {
    case "idle":
      return { step: off("No model is running: Visualize a model first"), run: off("No model is running: Visualize a model first"), pause: off("Nothing is running"), runN: off("No model is running: Visualize a model first"), stop: off("Nothing is running"), restart: off("No model has run yet") };
    case "starting":
      return { step: off("The model is starting"), run: off("The model is starting"), pause: off("The model is starting"), runN: off("The model is starting"), stop: on, restart: on };
    case "running":
      return { step: off("Training is running: pause first"), run: off("Already running"), pause: on, runN: off("Training is running: pause first"), stop: on, restart: on };
    case "paused":
      return { step: on, run: on, pause: off("Already paused"), runN: on, stop: on, restart: on };
    case "finished":
    case "stopped":
    case "error": {
      const why = state === "finished" ? "The run has finished" : state === "stopped" ? "The run was stopped" : "The run ended with an error";
      return { step: off(`${why}: Restart to run it again`), run: off(`${why}: Restart to run it again`), pause: off(why), runN: off(`${why}: Restart to run it again`), stop: off(why), restart: on };
    }
  }
}

/** The control a toolbar shows first: Restart once a run is over, as a debugger's toolbar does. */
export function primaryControl(state: RunState): Control {
  if (isEnded(state)) return "restart";
  return state === "running" ? "pause" : "step";
}

/** A model failure, located in the user's TypeScript (1-based) when we know where. */
export const ModelErrorSchema = z.object({
  kind: z.enum(["compile", "runtime", "limit", "timeout"]),
  message: z.string(),
  file: z.string().optional(),
  line: z.number().int().min(1).optional(),
  column: z.number().int().min(1).optional(),
  /** Source-mapped stack, user frames only. */
  stack: z.string().optional(),
});
export type ModelError = z.infer<typeof ModelErrorSchema>;

/** Why a run ended (the CLI's `end` event uses the same words). */
export const EndReasonSchema = z.enum(["finished", "max-steps", "error", "timeout", "stopped"]);
export type EndReason = z.infer<typeof EndReasonSchema>;
