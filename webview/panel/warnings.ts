import { h } from "./dom";

/**
 * Banners for likely mistakes in the model (gradients not zeroed, no
 * backward() call), from the host's `model/warning`. Each can be dismissed;
 * a new run (session/reset) clears them all. The same warning is shown once.
 */
export class Warnings {
  private readonly shown = new Set<string>();

  constructor(private readonly strip: HTMLElement) {}

  add(message: string, file?: string, line?: number): void {
    const where = file ? `${file.split(/[\\/]/).pop()}${line ? `:${line}` : ""}` : "";
    const key = `${message}@${where}`;
    if (this.shown.has(key)) return;
    this.shown.add(key);
    const dismiss = h("button", { class: "dismiss", title: "Dismiss", "aria-label": "Dismiss warning" }, "✕");
    const item = h("div", { class: "warning" }, h("span", { class: "icon", "aria-hidden": "true" }, "⚠"),
      h("span", { class: "text" }, message), where ? h("span", { class: "where" }, where) : null, dismiss);
    dismiss.addEventListener("click", () => { item.remove(); this.strip.hidden = this.strip.childElementCount === 0; });
    this.strip.append(item);
    this.strip.hidden = false;
  }

  clear(): void {
    this.shown.clear();
    this.strip.replaceChildren();
    this.strip.hidden = true;
  }
}
