#!/usr/bin/env node
// Builds the one universal .vsix: production bundles, then a staging folder holding exactly the
// runtime closure listed in scripts/vsix-contents.mjs (no `npm ls` copy, no native binary), then
// `vsce package` in that folder, with no flags that skip its checks, and the Open VSX checks.
//
//   node scripts/package-vsix.mjs               → out/gradscope-<version>.vsix (prints its size and file count)
//   node scripts/package-vsix.mjs --stage-only  → out/stage/gradscope (what the extension-host tests load)
//   --no-build                                  → use dist/ as it is
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { checkForOpenVsx } from "./openvsx-check.mjs";
import { BUNDLES, COPIED, OPTIONAL_REQUIRES, RUNTIME_PACKAGES, TS_PLUGIN_PACKAGE, allowedPaths, bareRequires, globToRegExp, isAllowed, nativeBinaryKind, readZip } from "./vsix-contents.mjs";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = new Set(process.argv.slice(2));
const stageOnly = args.has("--stage-only");
const outDir = path.join(repo, "out");
const stage = path.join(outDir, "stage", "gradscope");
const require = createRequire(path.join(repo, "package.json"));
const manifest = JSON.parse(readFileSync(path.join(repo, "package.json"), "utf8"));
const time = Date.now();

if (!args.has("--no-build")) execFileSync(process.execPath, [path.join(repo, "scripts", "build.mjs"), "--production"], { cwd: repo, stdio: "inherit" });
for (const { file, required } of BUNDLES) {
  if (required && !existsSync(path.join(repo, file))) throw new Error(`${file} is missing: the build did not produce it`);
}

rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });

// 1. Files from the repository, by the allow-list's globs.
for (const glob of COPIED) {
  for (const rel of expandGlob(glob)) copy(path.join(repo, rel), rel);
}

// 2. npm packages the bundles load at run time, and any package a bundle requires that is not listed.
const dependencies = { [TS_PLUGIN_PACKAGE]: manifest.version };
const required = new Set(readdirSync(path.join(stage, "dist")).filter((f) => f.endsWith(".js")).flatMap((f) => bareRequires(readFileSync(path.join(stage, "dist", f), "utf8"))));
const unlisted = [...required].filter((name) => !(name in RUNTIME_PACKAGES) && !OPTIONAL_REQUIRES.has(name));
if (unlisted.length) {
  throw new Error(`the bundles require ${unlisted.join(", ")} at run time, which is not staged: bundle it (scripts/build.mjs) or list it in RUNTIME_PACKAGES (scripts/vsix-contents.mjs)`);
}
for (const [name, files] of Object.entries(RUNTIME_PACKAGES)) {
  const dir = path.dirname(require.resolve(`${name}/package.json`));
  for (const f of files) copy(path.join(dir, f), `node_modules/${name}/${f}`);
  dependencies[name] = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")).version;
}

// 3. Generated files: the manifest, the Marketplace icon, the tsserver plugin shim.
const staged = { ...manifest, dependencies };
delete staged.devDependencies;
delete staged.scripts;
delete staged.bin; // the CLI (dist/cli.js) is not part of the extension
writeFileSync(path.join(stage, "package.json"), JSON.stringify(staged, null, 2) + "\n");
await renderIcon(path.join(repo, "media", "icon.svg"), path.join(stage, manifest.icon));
const shim = path.join(stage, "node_modules", TS_PLUGIN_PACKAGE);
mkdirSync(shim, { recursive: true });
writeFileSync(path.join(shim, "package.json"), JSON.stringify({ name: TS_PLUGIN_PACKAGE, version: manifest.version, main: "index.js", license: manifest.license }, null, 2) + "\n");
writeFileSync(path.join(shim, "index.js"), 'module.exports = require("../../dist/tsPlugin.js");\n');
// vsce warns without an ignore file; the stage already holds only what ships.
writeFileSync(path.join(stage, ".vscodeignore"), "# out/stage/gradscope holds exactly what ships (scripts/vsix-contents.mjs): nothing to ignore.\n");

// 4. The stage holds nothing the allow-list does not name (the interim esbuild aside).
const globs = allowedPaths();
const stray = listFiles(stage).filter((rel) => rel !== ".vscodeignore" && !isAllowed(rel, globs) && !(interimEsbuild && /^node_modules\/(esbuild|@esbuild)\//.test(rel)));
if (stray.length) throw new Error(`staged files outside the allow-list: ${stray.join(", ")}`);

console.log(`staged ${path.relative(repo, stage)} (${listFiles(stage).length - 1} files) in ${Date.now() - time} ms`);
if (stageOnly) process.exit(0);

// 5. vsce package, universal unless interim; any vsce warning fails the step.
const vsix = path.join(outDir, `gradscope-${manifest.version}.vsix`);
for (const old of readdirSync(outDir)) if (old.endsWith(".vsix")) rmSync(path.join(outDir, old));
const vsce = path.join(path.dirname(require.resolve("@vscode/vsce/package.json")), "vsce");
const vsceArgs = ["package", "--out", vsix];
const result = spawnSync(process.execPath, [vsce, ...vsceArgs], { cwd: stage, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, FORCE_COLOR: "0" } });
process.stdout.write(result.stdout);
process.stderr.write(result.stderr);
if (result.status !== 0) throw new Error(`vsce package failed (exit ${result.status})`);
const vsceWarnings = (result.stdout + result.stderr).split("\n").filter((l) => /\bWARNING\b/.test(l));
if (vsceWarnings.length) throw new Error(`vsce warned:\n${vsceWarnings.join("\n")}`);

// 6. Open VSX: what its publish step and its server check, offline (scripts/openvsx-check.mjs).
const issues = await checkForOpenVsx(vsix);
if (issues.length) throw new Error(`Open VSX would reject ${path.basename(vsix)}:\n  ${issues.join("\n  ")}`);
console.log("Open VSX checks passed (ovsx reads the package; license, name, version and metadata fields are valid)");

const entries = await readZip(vsix);
const natives = entries.filter((e) => nativeBinaryKind(e.name, e.bytes));
if (natives.length) throw new Error(`${path.basename(vsix)} carries native binaries (${natives.map((e) => e.name).join(", ")}): it must be universal`);
const bytes = statSync(vsix).size;
console.log(`\n${path.relative(repo, vsix)}: ${(bytes / 1024 / 1024).toFixed(2)} MB (${bytes.toLocaleString("en-US")} bytes), ${entries.length} files` +
  `, universal, in ${((Date.now() - time) / 1000).toFixed(1)} s`);

function copy(from, rel) {
  if (!existsSync(from)) throw new Error(`${path.relative(repo, from)} is missing (needed at ${rel} in the package)`);
  mkdirSync(path.dirname(path.join(stage, rel)), { recursive: true });
  copyFileSync(from, path.join(stage, rel));
}

/** Repository files matching a glob from the allow-list (searched under the glob's fixed prefix). */
function expandGlob(glob) {
  const fixed = glob.split("/").filter((_, i, parts) => !parts.slice(0, i + 1).some((p) => p.includes("*")));
  const base = fixed.join("/");
  if (base === glob) return existsSync(path.join(repo, glob)) ? [glob] : [];
  const re = globToRegExp(glob);
  return listFiles(path.join(repo, base)).map((f) => `${base}/${f}`).filter((f) => re.test(f));
}

/** Every file under a folder, as forward-slash paths relative to it. */
function listFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.relative(dir, path.join(d.parentPath ?? d.path, d.name)).split(path.sep).join("/"));
}

/**
 * The Marketplace icon: media/icon.svg (drawn on a 16-unit grid for the panel tab) on a dark
 * rounded tile, 256 px, rendered with resvg compiled to WebAssembly (no Chromium, no native addon).
 */
async function renderIcon(svgFile, pngFile) {
  const { Resvg, initWasm } = require("@resvg/resvg-wasm");
  await initWasm(readFileSync(require.resolve("@resvg/resvg-wasm/index_bg.wasm")));
  const svg = readFileSync(svgFile, "utf8");
  const open = svg.match(/<svg\b[^>]*>/);
  const viewBox = open?.[0].match(/viewBox="([^"]+)"/)?.[1];
  if (!open || !viewBox) throw new Error(`${svgFile}: expected an <svg> element with a viewBox`);
  const inner = svg.slice(open.index + open[0].length, svg.lastIndexOf("</svg>"));
  const tile = `<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256">
  <rect width="256" height="256" rx="48" fill="${manifest.galleryBanner.color}"/>
  <svg x="24" y="24" width="208" height="208" viewBox="${viewBox}">${inner}</svg>
</svg>`;
  const png = new Resvg(tile, { fitTo: { mode: "width", value: 256 } }).render().asPng();
  mkdirSync(path.dirname(pngFile), { recursive: true });
  writeFileSync(pngFile, png);
}
