import type { ViewMessage } from "../../src/protocol/panel";
import type { ExportFormat } from "../exports/exports";
import { byId } from "./dom";

/**
 * Toolbar buttons and keyboard shortcuts (listed in panelHtml's SHORTCUTS):
 * run controls become messages to the host, view actions call back into the panel.
 */
export interface ViewActions {
  isRunning(): boolean;
  fit(): void;
  animate(): void;
  toggleTable(): void;
  toggleLogScale(): void;
  search(): void;
  export(format: ExportFormat): void;
  move(direction: "left" | "right" | "up" | "down"): void;
  reveal(): void;
  focusSelected(hopsDelta: number): void;
  collapseSelectedGroup(): void;
  escape(): void;
}

export function wireControls(post: (m: ViewMessage) => void, view: ViewActions): void {
  const runN = byId<HTMLInputElement>("run-n");
  const help = byId<HTMLDialogElement>("help-dialog");
  const exportSelect = byId<HTMLSelectElement>("export-format");
  const runPause = () => post(view.isRunning() ? { type: "control/pause" } : { type: "control/run" });
  const runSteps = () => {
    const n = Math.floor(Number(runN.value));
    if (Number.isFinite(n) && n >= 1) post({ type: "control/runN", n: Math.min(n, 1_000_000_000) });
    else runN.focus();
  };
  const click = (id: string, fn: () => void) => byId(id).addEventListener("click", fn);
  click("btn-run", runPause);
  click("btn-step", () => post({ type: "control/step" }));
  click("btn-run-n", runSteps);
  click("btn-stop", () => post({ type: "control/stop" }));
  click("btn-restart", () => post({ type: "control/restart" }));
  click("btn-fit", view.fit);
  click("btn-animate", view.animate);
  click("btn-table", view.toggleTable);
  click("btn-help", () => help.showModal());
  byId<HTMLInputElement>("loss-log").addEventListener("change", view.toggleLogScale);
  runN.addEventListener("keydown", (e) => { if (e.key === "Enter") runSteps(); e.stopPropagation(); });
  exportSelect.addEventListener("change", () => {
    const f = exportSelect.value as ExportFormat | "";
    exportSelect.value = "";
    if (f) view.export(f);
  });

  const keys: Record<string, () => void> = {
    " ": runPause, s: () => post({ type: "control/step" }), n: runSteps, x: () => post({ type: "control/stop" }),
    R: () => post({ type: "control/restart" }), f: view.fit, "/": view.search, a: view.animate, l: view.toggleLogScale,
    t: view.toggleTable, e: () => exportSelect.focus(), "?": () => help.showModal(), g: () => view.focusSelected(0),
    "+": () => view.focusSelected(1), "=": () => view.focusSelected(1), "-": () => view.focusSelected(-1),
    c: view.collapseSelectedGroup, Escape: view.escape, Enter: view.reveal,
    ArrowLeft: () => view.move("left"), ArrowRight: () => view.move("right"), ArrowUp: () => view.move("up"), ArrowDown: () => view.move("down"),
  };
  document.addEventListener("keydown", (e) => {
    const target = e.target as HTMLElement;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (target.closest("input, select, textarea, dialog") ) return;
    // Buttons handle Space/Enter themselves when focused.
    if (target.tagName === "BUTTON" && (e.key === " " || e.key === "Enter")) return;
    const key = e.key.length === 1 && !e.shiftKey ? e.key.toLowerCase() : e.key;
    const action = keys[key];
    if (!action) return;
    e.preventDefault();
    action();
  });
}
