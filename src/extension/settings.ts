import * as vscode from "vscode";

/** The `gradscope.*` settings, read fresh each time so changes apply to the next run without a reload. */
export interface GradscopeSettings {
  runOnSave: boolean;
  maxNodesPerStep: number;
  memoryLimitMb: number;
  /** Panel updates per second while running. */
  updateRate: number;
  collapseThreshold: number;
  inlineValues: boolean;
}

export function readSettings(): GradscopeSettings {
  const c = vscode.workspace.getConfiguration("gradscope");
  return {
    runOnSave: c.get<boolean>("runOnSave", false),
    maxNodesPerStep: c.get<number>("maxNodesPerStep", 2_000_000),
    memoryLimitMb: c.get<number>("memoryLimitMb", 2048),
    updateRate: Math.max(1, c.get<number>("updateRate", 30)),
    collapseThreshold: Math.max(1, c.get<number>("collapseThreshold", 400)),
    inlineValues: c.get<boolean>("inlineValues", true),
  };
}

export function affectsGradscope(e: vscode.ConfigurationChangeEvent): boolean {
  return e.affectsConfiguration("gradscope");
}
