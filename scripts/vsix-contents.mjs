// What the .vsix holds: the extension's runtime closure, file by file. scripts/package-vsix.mjs
// stages exactly this list; test/package/vsix.test.mjs fails on any file the list does not name,
// on a native binary, and on a platform-specific manifest.
import { builtinModules } from "node:module";
import yauzl from "yauzl";

/** The bundles the extension loads. A missing required one fails the package step. */
export const BUNDLES = [
  { file: "dist/extension.js", required: true }, // extension host (main)
  { file: "dist/runner.js", required: true }, // the model's own process (forked by the host): compiles and runs it
  { file: "dist/worker.js", required: true }, // the model's worker thread: engine + user code
  { file: "dist/webview.js", required: true }, // the panel
  { file: "dist/tsPlugin.js", required: true }, // tsserver plugin: `import "gradscope"` type-checks without npm install
];

/** Files copied from the repository after the build (globs relative to its root: `*` within a folder, `**` across). */
export const COPIED = [
  ...BUNDLES.map((b) => b.file),
  "dist/gradscope.d.ts", // what `import { Value } from "gradscope"` type-checks against
  "dist/types/**/*.d.ts",
  "media/icon.svg", // the panel's tab icon
  "media/*.css", // the panel's stylesheet and every sheet it @imports (uPlot's, the Insight section's)
  "examples/*.ts", // New Model From Example
  "README.md",
  "LICENSE",
  "CHANGELOG.md",
];

/** Files the package step writes into the stage. */
export const GENERATED = [
  "package.json", // the repository's, without scripts, devDependencies and bin
  "media/icon.png", // rendered from media/icon.svg
  // tsserver finds global plugins by package name in <extension>/node_modules; this shim forwards to dist/tsPlugin.js.
  "node_modules/gradscope-typescript-plugin/package.json",
  "node_modules/gradscope-typescript-plugin/index.js",
];
export const TS_PLUGIN_PACKAGE = "gradscope-typescript-plugin";

/**
 * npm packages that the bundles load from node_modules at run time instead of bundling, with the
 * files each one needs. Everything else is bundled. Pure JavaScript only.
 */
export const RUNTIME_PACKAGES = {
  // The model compiler. Delete this line when the runner bundle includes TypeScript
  // (scripts/build.mjs: no "typescript" in any target's `external`).
  typescript: ["package.json", "LICENSE.txt", "ThirdPartyNoticeText.txt", "lib/typescript.js"],
};

/** Bare `require("x")` names that may appear in a bundle without being staged: optional, inside try/catch. */
export const OPTIONAL_REQUIRES = new Set([
  "vscode", // provided by the extension host
  "source-map-support", // TypeScript's optional stack-trace helper, should TypeScript be bundled
]);

/** Every path the package may hold, as globs relative to the extension root. */
export function allowedPaths() {
  const packaged = Object.entries(RUNTIME_PACKAGES).flatMap(([name, files]) => files.map((f) => `node_modules/${name}/${f}`));
  return [...COPIED, ...GENERATED, ...packaged];
}

/** A glob (`*` within one path segment, `**` across segments) as a RegExp. */
export function globToRegExp(glob) {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "*" && glob[i + 1] === "*") {
      re += glob[i + 2] === "/" ? "(?:.*/)?" : ".*";
      i += glob[i + 2] === "/" ? 2 : 1;
    } else if (c === "*") re += "[^/]*";
    else re += c.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

export function isAllowed(relPath, globs = allowedPaths()) {
  return globs.some((g) => globToRegExp(g).test(relPath));
}

/** Package names a bundle loads with `require("name")` that Node does not provide. */
export function bareRequires(source) {
  const names = new Set();
  for (const m of source.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)) {
    const spec = m[1];
    // Template text in a message (`require('${o}')`) is not a require.
    if (!spec || /[\s${}]/.test(spec) || spec.startsWith(".") || spec.startsWith("/") || spec.startsWith("node:") || builtinModules.includes(spec)) continue;
    names.add(spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]);
  }
  return [...names];
}

/**
 * What kind of native binary these bytes are ("ELF", "Mach-O", "PE"), or undefined. `.node`
 * files count whatever their bytes.
 */
export function nativeBinaryKind(name, bytes) {
  if (name.endsWith(".node")) return "Node addon (.node)";
  if (bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46) return "ELF";
  if (bytes.length >= 4) {
    const be = bytes.readUInt32BE(0);
    // 32/64-bit Mach-O in either byte order, and universal ("fat") binaries.
    if ([0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe, 0xcafebabe, 0xbebafeca].includes(be)) return "Mach-O";
  }
  // PE: "MZ", then at offset 0x3c the offset of the "PE\0\0" signature.
  if (bytes.length >= 0x40 && bytes[0] === 0x4d && bytes[1] === 0x5a) {
    const pe = bytes.readUInt32LE(0x3c);
    if (pe + 4 <= bytes.length && bytes.readUInt32BE(pe) === 0x50450000) return "PE";
  }
  return undefined;
}

/** The entries of a zip file (a .vsix), each with its uncompressed bytes. */
export function readZip(file) {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, strictFileNames: true }, (err, zip) => {
      if (err) return reject(err);
      const entries = [];
      zip.on("error", reject);
      zip.on("end", () => resolve(entries));
      zip.on("entry", (entry) => {
        if (entry.fileName.endsWith("/")) return zip.readEntry();
        zip.openReadStream(entry, (e, stream) => {
          if (e) return reject(e);
          const chunks = [];
          stream.on("data", (c) => chunks.push(c));
          stream.on("error", reject);
          stream.on("end", () => {
            entries.push({ name: entry.fileName, size: entry.uncompressedSize, compressedSize: entry.compressedSize, bytes: Buffer.concat(chunks) });
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

/** Where vsce puts a staged file inside the .vsix (it renames README, CHANGELOG and LICENSE). */
export function vsixPath(relPath) {
  const renamed = { "README.md": "readme.md", "CHANGELOG.md": "changelog.md", LICENSE: "LICENSE.txt" };
  return `extension/${renamed[relPath] ?? relPath}`;
}
