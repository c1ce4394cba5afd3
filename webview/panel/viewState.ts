/** What survives a webview reload (VS Code keeps it via setState/getState). */
export interface SavedViewState {
  hash: string;
  zoom: number;
  pan: { x: number; y: number };
  selected: number | null;
  expanded: string[];
  logScale: boolean;
  tableShown: boolean;
  /** The user had zoomed or panned: the restored viewport is theirs (no re-fit on resize). */
  userViewport?: boolean;
}

export function readSavedState(raw: unknown): SavedViewState | null {
  if (!raw || typeof raw !== "object") return null;
  const s = raw as Partial<SavedViewState>;
  if (typeof s.hash !== "string" || typeof s.zoom !== "number" || !s.pan || !Array.isArray(s.expanded)) return null;
  return {
    hash: s.hash, zoom: s.zoom, pan: { x: Number(s.pan.x) || 0, y: Number(s.pan.y) || 0 },
    selected: typeof s.selected === "number" ? s.selected : null,
    expanded: s.expanded.filter((e): e is string => typeof e === "string"),
    logScale: s.logScale === true, tableShown: s.tableShown === true, userViewport: s.userViewport === true,
  };
}
