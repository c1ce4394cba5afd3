#!/usr/bin/env node
// Builds the .vsix from a staging folder that holds exactly what ships: package.json, dist/,
// media/, examples/, the production node_modules (esbuild + its platform binary, typescript, ...)
// and the tiny package that lets tsserver find our TypeScript plugin by name.
//
//   node scripts/package-vsix.mjs               → out/gradscope-<platform>.vsix
//   node scripts/package-vsix.mjs --stage-only  → out/stage/gradscope (what the extension-host tests load)
//   --no-build                                  → use dist/ as it is
//
// Platform-specific because esbuild ships a native binary per platform.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = new Set(process.argv.slice(2));
const stageOnly = args.has("--stage-only");
const outDir = path.join(repo, "out");
const stage = path.join(outDir, "stage", "gradscope");
const TS_PLUGIN_PACKAGE = "gradscope-typescript-plugin";
const target = `${process.platform === "win32" ? "win32" : process.platform}-${process.arch}`;

const run = (cmd, argv, opts = {}) => execFileSync(cmd, argv, { cwd: repo, stdio: "inherit", ...opts });
const time = Date.now();

if (!args.has("--no-build")) run(process.execPath, [path.join(repo, "scripts", "build.mjs")]);
for (const file of ["dist/extension.js", "dist/worker.js", "dist/webview.js", "dist/tsPlugin.js"]) {
  if (!existsSync(path.join(repo, file))) throw new Error(`${file} is missing: the build did not produce it`);
}
if (!existsSync(path.join(repo, "dist/gradscope.d.ts"))) console.warn("warning: dist/gradscope.d.ts is missing; `import from \"gradscope\"` will not type-check in the editor");

rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });

// package.json: the repo's, with the plugin shim as a dependency (so vsce packs it) and no dev tooling.
const manifest = JSON.parse(readFileSync(path.join(repo, "package.json"), "utf8"));
manifest.dependencies = { ...manifest.dependencies, [TS_PLUGIN_PACKAGE]: manifest.version };
delete manifest.devDependencies;
delete manifest.scripts;
writeFileSync(path.join(stage, "package.json"), JSON.stringify(manifest, null, 2) + "\n");

// dist/: its top-level files (the bundles, their maps, gradscope.d.ts) and types/ (the declarations
// gradscope.d.ts re-exports); other subfolders hold benches and other tools' output.
mkdirSync(path.join(stage, "dist"));
for (const entry of readdirSync(path.join(repo, "dist"), { withFileTypes: true })) {
  if (entry.isFile() || entry.name === "types") cpSync(path.join(repo, "dist", entry.name), path.join(stage, "dist", entry.name), { recursive: true });
}
for (const entry of ["media", "examples", "README.md", "LICENSE", "CHANGELOG.md", ".vscodeignore"]) {
  const from = path.join(repo, entry);
  if (existsSync(from)) cpSync(from, path.join(stage, entry), { recursive: true });
}

// The production dependency closure, exactly as npm resolved it in this checkout.
const prodDirs = listProductionPackages()
  .split("\n")
  .map((l) => l.trim())
  .filter((l) => l && l !== repo && l.includes(`${path.sep}node_modules${path.sep}`));
for (const dir of prodDirs) {
  const rel = path.relative(repo, dir);
  // Nested node_modules are listed (and copied) on their own lines.
  cpSync(dir, path.join(stage, rel), { recursive: true, filter: (src) => !path.relative(dir, src).split(path.sep).includes("node_modules") });
}

// tsserver loads global plugins by package name from <extension>/node_modules; this shim forwards to dist/tsPlugin.js.
const shim = path.join(stage, "node_modules", TS_PLUGIN_PACKAGE);
mkdirSync(shim, { recursive: true });
writeFileSync(path.join(shim, "package.json"), JSON.stringify({ name: TS_PLUGIN_PACKAGE, version: manifest.version, main: "index.js", license: manifest.license }, null, 2) + "\n");
writeFileSync(path.join(shim, "index.js"), 'module.exports = require("../../dist/tsPlugin.js");\n');

console.log(`staged ${path.relative(repo, stage)} (${prodDirs.length} runtime packages) in ${Date.now() - time} ms`);
if (stageOnly) process.exit(0);

const vsix = path.join(outDir, `gradscope-${target}.vsix`);
rmSync(vsix, { force: true });
const vsce = path.join(repo, "node_modules", "@vscode", "vsce", "vsce");
run(process.execPath, [vsce, "package", "--target", target, "--out", vsix, "--skip-license", "--allow-missing-repository", "--allow-star-activation"], { cwd: stage });
console.log(`packaged ${path.relative(repo, vsix)} in ${Date.now() - time} ms`);

/** `npm ls` exits non-zero over problems elsewhere in the tree (extraneous dev packages); its list is still right. */
function listProductionPackages() {
  try {
    return execFileSync("npm", ["ls", "--omit=dev", "--all", "--parseable"], { cwd: repo, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (err) {
    if (err.stdout) return err.stdout;
    throw err;
  }
}
