import * as vscode from "vscode";
import { FINDING_KINDS, type BreakOn, type FindingKind, type HealthOptions, type HealthSpec } from "../protocol/health";

/**
 * The run's health spec from settings: when to pause (`gradscope.breakOn.*`) and
 * the detectors' thresholds (`gradscope.health.*`); unset thresholds keep the
 * runner's defaults (src/analysis/health/options.ts). Read per model (resource scope).
 */
export function readHealthSpec(scope?: vscode.Uri): HealthSpec {
  const c = vscode.workspace.getConfiguration("gradscope", scope);
  const positive = (key: string) => { const v = c.get<number>(key, 0); return v > 0 ? v : undefined; };
  const findings = c.get<string[]>("breakOn.findings", []).filter((k): k is FindingKind => (FINDING_KINDS as readonly string[]).includes(k));
  const breakOn: BreakOn = { nan: c.get<boolean>("breakOn.nan", true), lossUpPct: positive("breakOn.lossUpPercent"), gradAbove: positive("breakOn.gradAbove"), findings };
  const options: HealthOptions = {
    deadReluSteps: c.get<number>("health.deadReluSteps"), saturationLevel: c.get<number>("health.saturationLevel"),
    saturationShare: c.get<number>("health.saturationShare"), depthDecades: c.get<number>("health.vanishingDecades"),
  };
  for (const o of [breakOn, options] as Record<string, unknown>[]) for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return { breakOn, options };
}

export function affectsHealth(e: vscode.ConfigurationChangeEvent, scope?: vscode.Uri): boolean {
  return e.affectsConfiguration("gradscope.breakOn", scope) || e.affectsConfiguration("gradscope.health", scope);
}
