import type { ViewMessage } from "../../src/protocol/panel";
import { controlsFor, primaryControl, type Control, type RunState } from "../../src/protocol/run";
import { byId } from "./dom";

/**
 * The toolbar's run controls, read from the one run-state table
 * (src/protocol/run.ts) that the status bar, CodeLens and commands read too:
 * a control that cannot act is marked disabled and says why in its tooltip
 * and accessible description; its shortcut says why instead of acting. After
 * a run is over, Restart is the primary control, as in a debugger's toolbar.
 */

interface ButtonSpec { id: string; name: string; keys: string }
const BUTTONS: Record<Exclude<Control, "pause">, ButtonSpec> = {
  run: { id: "btn-run", name: "Run", keys: "Space" },
  step: { id: "btn-step", name: "Step: run to the next backward()", keys: "S" },
  runN: { id: "btn-run-n", name: "Run N steps", keys: "N" },
  stop: { id: "btn-stop", name: "Stop", keys: "X" },
  restart: { id: "btn-restart", name: "Restart", keys: "Shift+R" },
};

export class RunControls {
  private state: RunState = "idle";

  constructor(private readonly post: (m: ViewMessage) => void, private readonly explain: (reason: string) => void) {
    this.apply();
  }

  get current(): RunState { return this.state; }

  setState(state: RunState): void {
    this.state = state;
    this.apply();
  }

  /** Run / Pause share a button and a key: it pauses while running, else runs. */
  runOrPause(): void {
    this.trigger(this.state === "running" ? "pause" : "run");
  }

  /** Acts if the state allows it, else says why (the same words as the disabled button's tooltip). */
  trigger(control: Control, n?: number): void {
    const a = controlsFor(this.state)[control];
    if (!a.enabled) { this.explain(a.reason ?? `${control} is not available now`); return; }
    if (control === "runN") this.post({ type: "control/runN", n: n ?? 1 });
    else this.post({ type: `control/${control}` } as ViewMessage);
  }

  private apply(): void {
    const table = controlsFor(this.state);
    const primary = primaryControl(this.state);
    const running = this.state === "running";
    for (const [control, spec] of Object.entries(BUTTONS) as [Exclude<Control, "pause">, ButtonSpec][]) {
      const button = byId<HTMLButtonElement>(spec.id);
      // The Run button is Pause while running: it follows the pause row of the table then.
      const acts: Control = control === "run" && running ? "pause" : control;
      const name = acts === "pause" ? "Pause" : spec.name;
      const a = table[acts];
      // aria-disabled, not disabled: the button stays focusable and a screen reader can read why.
      button.setAttribute("aria-disabled", String(!a.enabled));
      button.title = a.enabled ? `${name} (${spec.keys})` : `${name} (${spec.keys}) — ${a.reason}`;
      button.setAttribute("aria-description", a.enabled ? "" : a.reason ?? "");
      button.classList.toggle("primary", acts === primary);
      if (control === "run") {
        button.querySelector(".icon")!.textContent = running ? "❚❚" : "▶";
        button.querySelector(".label")!.textContent = running ? "Pause" : "Run";
        button.setAttribute("aria-label", running ? "Pause" : "Run");
      }
    }
    byId<HTMLInputElement>("run-n").disabled = !table.runN.enabled;
  }
}
