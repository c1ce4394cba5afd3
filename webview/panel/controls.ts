import type { CsvContent } from "../../src/graph/csv";
import type { ExportFormat } from "../exports/exports";
import { byId } from "./dom";
import type { Direction } from "./keyboardNav";
import type { RunControls } from "./runControls";

/**
 * Toolbar buttons and keyboard shortcuts (listed in panelHtml's SHORTCUTS).
 * Run controls go through RunControls, so a button and its key obey the same
 * run-state table; view actions call back into the panel.
 */
export interface ViewActions {
  fit(): void;
  animate(): void;
  toggleTable(): void;
  toggleLogScale(): void;
  search(): void;
  export(format: ExportFormat, csv: CsvContent): void;
  move(direction: Direction): void;
  /** Enter: open the selected group, or reveal the selected node's source (focus goes to the editor). */
  activate(): void;
  focusSelected(hopsDelta: number): void;
  collapseSelected(): void;
  escape(): void;
}

export function wireControls(run: RunControls, view: ViewActions): void {
  const runN = byId<HTMLInputElement>("run-n");
  const help = byId<HTMLDialogElement>("help-dialog");
  const exportSelect = byId<HTMLSelectElement>("export-format");
  const runSteps = () => {
    const n = Math.floor(Number(runN.value));
    if (Number.isFinite(n) && n >= 1) run.trigger("runN", Math.min(n, 1_000_000_000));
    else if (!runN.disabled) runN.focus();
    else run.trigger("runN");
  };
  const click = (id: string, fn: () => void) => byId(id).addEventListener("click", fn);
  click("btn-run", () => run.runOrPause());
  click("btn-step", () => run.trigger("step"));
  click("btn-run-n", runSteps);
  click("btn-stop", () => run.trigger("stop"));
  click("btn-restart", () => run.trigger("restart"));
  click("btn-fit", view.fit);
  click("btn-animate", view.animate);
  click("btn-table", view.toggleTable);
  click("btn-help", () => help.showModal());
  byId<HTMLInputElement>("loss-log").addEventListener("change", view.toggleLogScale);
  runN.addEventListener("keydown", (e) => { if (e.key === "Enter") runSteps(); e.stopPropagation(); });
  exportSelect.addEventListener("change", () => {
    const choice = exportSelect.value;
    exportSelect.value = "";
    if (choice === "csv-loss" || choice === "csv-nodes") view.export("csv", choice === "csv-loss" ? "loss" : "nodes");
    else if (choice) view.export(choice as ExportFormat, "loss");
  });

  const keys: Record<string, () => void> = {
    " ": () => run.runOrPause(), s: () => run.trigger("step"), n: runSteps, x: () => run.trigger("stop"),
    R: () => run.trigger("restart"), f: view.fit, "/": view.search, a: view.animate, l: view.toggleLogScale,
    t: view.toggleTable, e: () => exportSelect.focus(), "?": () => help.showModal(), g: () => view.focusSelected(0),
    "+": () => view.focusSelected(1), "=": () => view.focusSelected(1), "-": () => view.focusSelected(-1),
    c: view.collapseSelected, Escape: view.escape, Enter: view.activate,
    ArrowLeft: () => view.move("left"), ArrowRight: () => view.move("right"), ArrowUp: () => view.move("up"), ArrowDown: () => view.move("down"),
  };
  document.addEventListener("keydown", (e) => {
    const target = e.target as HTMLElement;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (target.closest("input, select, textarea, dialog")) return;
    // Buttons handle Space/Enter themselves when focused; table rows handle their own keys.
    if ((target.tagName === "BUTTON" || target.closest("#node-table")) && (e.key === " " || e.key === "Enter")) return;
    const key = e.key.length === 1 && !e.shiftKey ? e.key.toLowerCase() : e.key;
    const action = keys[key];
    if (!action) return;
    e.preventDefault();
    action();
  });
}
