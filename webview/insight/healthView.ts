import type { Break, BreakOn, Finding, FindingKind } from "../../src/protocol/health";
import { h } from "../panel/dom";

/**
 * The Health view: one line per finding (kind badge, label, detail, step),
 * newest run only. A line is a button: click or Enter reveals the node in the
 * graph and its source line in the editor. A breakpoint hit is a banner above
 * the list, revealed the same way.
 */

export const KIND_TEXT: Record<FindingKind, string> = {
  "nan-origin": "NaN/Inf",
  "dead-relu": "dead ReLU",
  saturation: "saturated",
  vanishing: "vanishing",
  exploding: "exploding",
  "no-grad": "no grad",
  "growing-graph": "growing graph",
  "not-zeroed": "not zeroed",
};

/** Severity drives the badge colour: errors for non-finite values, warnings for the rest. */
export const KIND_SEVERITY: Record<FindingKind, "error" | "warning"> = {
  "nan-origin": "error", exploding: "error", "dead-relu": "warning", saturation: "warning", vanishing: "warning", "no-grad": "warning", "growing-graph": "warning", "not-zeroed": "warning",
};

export interface HealthActions {
  /** Show the finding: its node in the graph (when it is in the shown graph) and its line in the editor. */
  reveal(node: number, location: Finding["location"]): void;
  /** The breakpoint toggles changed. */
  setBreakOn(breakOn: BreakOn): void;
}

export class HealthView {
  private findings: Finding[] = [];
  private hit: Break | null = null;
  private readonly list: HTMLUListElement;
  private readonly banner: HTMLDivElement;
  private readonly empty: HTMLParagraphElement;
  private breakOn: BreakOn = { nan: true };
  private readonly nan: HTMLInputElement;
  private readonly lossUp: HTMLInputElement;
  private readonly lossUpPct: HTMLInputElement;
  private readonly gradAbove: HTMLInputElement;
  private readonly gradLimit: HTMLInputElement;

  constructor(readonly root: HTMLElement, private readonly act: HealthActions) {
    this.banner = h("div", { class: "break-banner", role: "alert", hidden: "" });
    this.empty = h("p", { class: "insight-empty" }, "No findings: no NaN/Inf, dead ReLUs, saturation, vanishing or exploding gradients so far.");
    this.list = h("ul", { class: "findings", "aria-label": "Findings" });
    this.nan = h("input", { type: "checkbox", id: "break-nan" });
    this.lossUp = h("input", { type: "checkbox", id: "break-loss-up" });
    this.lossUpPct = h("input", { type: "number", min: "1", step: "any", value: "50", "aria-label": "Loss rise, percent", class: "break-num" });
    this.gradAbove = h("input", { type: "checkbox", id: "break-grad-above" });
    this.gradLimit = h("input", { type: "number", min: "0", step: "any", value: "1000", "aria-label": "Gradient magnitude limit", class: "break-num" });
    const controls = h("div", { class: "break-on", role: "group", "aria-label": "Pause the run on" },
      h("span", { class: "muted" }, "Pause on:"),
      h("label", null, this.nan, " NaN/Inf"),
      h("label", null, this.lossUp, " loss up >"), this.lossUpPct, h("span", null, "%"),
      h("label", null, this.gradAbove, " |grad| >"), this.gradLimit);
    for (const el of [this.nan, this.lossUp, this.lossUpPct, this.gradAbove, this.gradLimit]) el.addEventListener("change", () => this.changed());
    root.append(controls, this.banner, this.empty, this.list);
    // The runner's default until the host says otherwise: pause on the first NaN/Inf.
    this.setBreakOn(this.breakOn);
    this.list.addEventListener("keydown", (e) => this.onKey(e));
  }

  get all(): readonly Finding[] { return this.findings; }

  set(findings: Finding[]): void {
    this.findings = findings;
    this.render();
  }

  setBreak(hit: Break | null): void {
    this.hit = hit;
    this.banner.replaceChildren();
    this.banner.hidden = hit === null;
    if (!hit) return;
    const where = hit.location ? `${basename(hit.location.file)}:${hit.location.line}` : "";
    const btn = h("button", { class: "finding-line", title: "Show the node and its line" },
      h("span", { class: "kind-badge", "data-severity": "error" }, hit.kind === "call" ? "breakpoint()" : `break: ${hit.kind}`),
      h("span", { class: "detail" }, hit.message), where ? h("span", { class: "where" }, where) : null, h("span", { class: "step" }, `step ${hit.step}`));
    btn.addEventListener("click", () => this.act.reveal(hit.node, hit.location));
    this.banner.append(h("span", { class: "paused" }, "Paused at a training breakpoint:"), btn);
  }

  /** What pauses the run now (from the host). */
  setBreakOn(b: BreakOn): void {
    this.breakOn = b;
    this.nan.checked = b.nan === true;
    this.lossUp.checked = b.lossUpPct !== undefined;
    if (b.lossUpPct !== undefined) this.lossUpPct.value = String(b.lossUpPct);
    this.gradAbove.checked = b.gradAbove !== undefined;
    if (b.gradAbove !== undefined) this.gradLimit.value = String(b.gradAbove);
  }

  private changed(): void {
    const pct = Number(this.lossUpPct.value), limit = Number(this.gradLimit.value);
    const b: BreakOn = { nan: this.nan.checked, findings: this.breakOn.findings ?? [] };
    if (this.lossUp.checked && pct > 0) b.lossUpPct = pct;
    if (this.gradAbove.checked && limit > 0) b.gradAbove = limit;
    this.breakOn = b;
    this.act.setBreakOn(b);
  }

  clear(): void {
    this.findings = [];
    this.setBreak(null);
    this.render();
  }

  private render(): void {
    this.empty.hidden = this.findings.length > 0;
    const frag = document.createDocumentFragment();
    this.findings.forEach((f, i) => {
      const where = f.location ? `${basename(f.location.file)}:${f.location.line}` : "";
      const btn = h("button", { class: "finding-line", "data-index": String(i), "data-kind": f.kind, "aria-label": `${KIND_TEXT[f.kind]}: ${f.label}. ${f.detail}. Step ${f.step}${where ? `, ${where}` : ""}` },
        h("span", { class: "kind-badge", "data-severity": KIND_SEVERITY[f.kind], "aria-hidden": "true" }, KIND_TEXT[f.kind]),
        h("span", { class: "label", "aria-hidden": "true" }, f.label),
        h("span", { class: "detail", "aria-hidden": "true" }, f.detail),
        where ? h("span", { class: "where", "aria-hidden": "true" }, where) : null,
        h("span", { class: "step", "aria-hidden": "true" }, `step ${f.step}`));
      btn.addEventListener("click", () => this.act.reveal(f.node, f.location));
      frag.append(h("li", null, btn));
    });
    this.list.replaceChildren(frag);
  }

  /** ↑/↓ move between findings (one list, like a tree view's rows). */
  private onKey(e: KeyboardEvent): void {
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
    const buttons = [...this.list.querySelectorAll<HTMLButtonElement>("button.finding-line")];
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const next = buttons[Math.max(0, Math.min(buttons.length - 1, at + (e.key === "ArrowDown" ? 1 : -1)))];
    next?.focus();
    e.preventDefault();
    e.stopPropagation();
  }
}

export function basename(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}
