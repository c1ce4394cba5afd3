import * as vscode from "vscode";

/**
 * The `gradscope.*` settings, read fresh each time so changes apply without a reload, and per
 * resource (the model's folder in a multi-root workspace: package.json declares them
 * `"scope": "resource"`, so a folder's own settings win there).
 */
export interface GradscopeSettings {
  runOnSave: boolean;
  maxNodesPerStep: number;
  memoryLimitMb: number;
  /** Panel updates per second while running. */
  updateRate: number;
  collapseThreshold: number;
  inlineValues: boolean;
}

/** `scope`: the model's document URI (an untitled one reads the workspace's settings). */
export function readSettings(scope?: vscode.Uri): GradscopeSettings {
  const c = vscode.workspace.getConfiguration("gradscope", scope);
  return {
    runOnSave: c.get<boolean>("runOnSave", false),
    maxNodesPerStep: c.get<number>("maxNodesPerStep", 2_000_000),
    memoryLimitMb: c.get<number>("memoryLimitMb", 2048),
    updateRate: Math.max(1, c.get<number>("updateRate", 10)),
    collapseThreshold: Math.max(1, c.get<number>("collapseThreshold", 400)),
    inlineValues: c.get<boolean>("inlineValues", true),
  };
}

export function affectsGradscope(e: vscode.ConfigurationChangeEvent, scope?: vscode.Uri, setting?: keyof GradscopeSettings): boolean {
  return e.affectsConfiguration(setting ? `gradscope.${setting}` : "gradscope", scope);
}
