/**
 * The runner (compiler, model process) loads on first use, not at activation: Gradscope
 * activates for every TypeScript file, and most of them are not models. esbuild turns this
 * dynamic import into a lazily initialised module inside dist/extension.js, so nothing the
 * runner imports (typescript, esbuild) is required until a model runs.
 */
export type RunnerModule = typeof import("../runner/session");

let loading: Promise<RunnerModule> | undefined;

export function loadRunner(): Promise<RunnerModule> {
  loading ??= import("../runner/session");
  return loading;
}

/** Ends the idle spare runner process, if the runner was ever loaded (deactivation). */
export function disposeRunner(): void {
  void loading?.then((runner) => runner.disposeSpares());
}
