// One esbuild config, one build per target: extension host, runner process, model worker, CLI, webview.
import * as esbuild from "esbuild";
import { existsSync, mkdirSync, chmodSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";

const watch = process.argv.includes("--watch");
const prod = process.argv.includes("--production");
mkdirSync("dist", { recursive: true });

// keepNames: users see class names (console.log(value) prints `Value {…}`, not a minified name).
const node = { bundle: true, platform: "node", target: "node20", format: "cjs", sourcemap: true, minify: prod, keepNames: true, logLevel: "warning" };
const targets = [
  // TypeScript (the model compiler) stays a runtime dependency: it loads only when a model is compiled.
  { ...node, entryPoints: ["src/extension/extension.ts"], outfile: "dist/extension.js", external: ["vscode", "typescript"] },
  // The runner process compiles the model: the compiler stays out of the host's bundles.
  { ...node, entryPoints: ["src/runner/process/main.ts"], outfile: "dist/runner.js", external: ["typescript"] },
  // The model worker runs the engine's hot loops: keepNames' __name() on its classes measured +30–40% on a
  // bare-Value moons step (bench: runner). Its identifiers are never minified instead, so Value, MLP, … keep their names.
  { ...node, keepNames: false, minifyIdentifiers: false, minifySyntax: prod, minifyWhitespace: prod, minify: undefined, entryPoints: ["src/runner/worker/modelWorker.ts"], outfile: "dist/worker.js" },
  { ...node, entryPoints: ["src/cli/main.ts"], outfile: "dist/cli.js", external: ["typescript"], banner: { js: "#!/usr/bin/env node" } },
  { ...node, entryPoints: ["src/extension/tsPlugin/index.ts"], outfile: "dist/tsPlugin.js" },
  { bundle: true, platform: "browser", target: "chrome120", format: "iife", sourcemap: true, minify: prod, logLevel: "warning",
    entryPoints: ["webview/main.ts"], outfile: "dist/webview.js" },
].filter((t) => existsSync(t.entryPoints[0]));

if (watch) {
  for (const t of targets) await (await esbuild.context(t)).watch();
} else {
  await Promise.all(targets.map((t) => esbuild.build(t)));
  if (existsSync("dist/cli.js")) chmodSync("dist/cli.js", 0o755);
  // The engine's declarations: what `import { Value } from "gradscope"` type-checks against.
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "-p", "tsconfig.types.json"], { stdio: "inherit" });
  writeFileSync("dist/gradscope.d.ts", '// The "gradscope" module: Value, MLP, SGD, Adam, losses, ...\nexport * from "./types/engine/index";\n');
}
