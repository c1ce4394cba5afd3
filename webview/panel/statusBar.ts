import type { ModelError, RunState } from "../../src/protocol/run";
import { byId, h } from "./dom";

/** The run state badge, the step counter and the error box (message and the user's file:line). */
export class StatusBar {
  private readonly badge = byId("run-state");
  private readonly counter = byId("step-counter");
  private readonly errorBox = byId("error-box");
  private readonly runButton = byId<HTMLButtonElement>("btn-run");
  state: RunState = "idle";

  setState(state: RunState, step: number, file: string | undefined, error: ModelError | undefined): void {
    this.state = state;
    this.badge.textContent = state;
    this.badge.dataset.state = state;
    this.counter.textContent = step > 0 ? `step ${step}` : "step —";
    this.counter.title = file ?? "";
    const running = state === "running" || state === "starting";
    this.runButton.querySelector(".icon")!.textContent = running ? "❚❚" : "▶";
    this.runButton.querySelector(".label")!.textContent = running ? "Pause" : "Run";
    this.runButton.setAttribute("aria-label", running ? "Pause" : "Run");
    this.runButton.setAttribute("aria-pressed", String(running));
    if (error) {
      const where = error.file ? `${error.file.split(/[\\/]/).pop()}${error.line ? `:${error.line}` : ""}${error.column ? `:${error.column}` : ""}` : null;
      this.errorBox.replaceChildren(
        h("b", null, `${error.kind} error`), where !== null ? h("span", { class: "where" }, ` at ${where}`) : "",
        h("pre", null, error.message), error.stack ? h("pre", { class: "stack" }, error.stack) : "",
      );
      this.errorBox.hidden = false;
    } else {
      this.errorBox.hidden = true;
      this.errorBox.replaceChildren();
    }
  }

  setStep(step: number): void {
    this.counter.textContent = `step ${step}`;
  }
}
