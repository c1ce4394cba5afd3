import type { ModelError, RunState } from "../../src/protocol/run";
import { byId, h } from "./dom";

/** The run state badge, the step counter and the error box (message and the user's file:line). The buttons are RunControls'. */
export class StatusBar {
  private readonly badge = byId("run-state");
  private readonly counter = byId("step-counter");
  private readonly errorBox = byId("error-box");

  setState(state: RunState, step: number, file: string | undefined, error: ModelError | undefined): void {
    this.badge.textContent = state;
    this.badge.dataset.state = state;
    this.counter.textContent = step > 0 ? `step ${step}` : "step —";
    this.counter.title = file ?? "";
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

  setStep(step: number | null): void {
    this.counter.textContent = step === null ? "step —" : `step ${step}`;
  }

  /** A new run: no error from the last one. */
  clearError(): void {
    this.errorBox.hidden = true;
    this.errorBox.replaceChildren();
  }
}
