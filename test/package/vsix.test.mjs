// The .vsix users install: one universal file, small, only the runtime closure, no native binary,
// Marketplace and Open VSX metadata in place. Packages the extension once (scripts/package-vsix.mjs),
// then unpacks the file and reads what is really inside.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { checkForOpenVsx } from "../../scripts/openvsx-check.mjs";
import { BUNDLES, OPTIONAL_REQUIRES, allowedPaths, bareRequires, isAllowed, nativeBinaryKind, readZip, vsixPath } from "../../scripts/vsix-contents.mjs";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const manifest = JSON.parse(readFileSync(path.join(repo, "package.json"), "utf8"));
const vsixFile = path.join(repo, "out", `gradscope-${manifest.version}.vsix`);
const MAX_BYTES = 3 * 1024 * 1024;

let output = "";
/** @type {{ name: string, size: number, bytes: Buffer }[]} */
let entries = [];
const entry = (name) => entries.find((e) => e.name === name);

beforeAll(async () => {
  const run = spawnSync(process.execPath, [path.join(repo, "scripts", "package-vsix.mjs")], { cwd: repo, encoding: "utf8" });
  output = `${run.stdout}${run.stderr}`;
  if (run.status !== 0) throw new Error(`the package step failed:\n${output.slice(-3000)}`);
  entries = await readZip(vsixFile);
});

describe("the package step", () => {
  it("prints one gradscope-<version>.vsix with its size and file count", () => {
    expect(output).toMatch(new RegExp(`out/gradscope-${manifest.version.replace(/\./g, "\\.")}\\.vsix: [\\d.]+ MB \\([\\d,]+ bytes\\), ${entries.length} files`));
    expect(readdirSync(path.join(repo, "out")).filter((f) => f.endsWith(".vsix"))).toEqual([path.basename(vsixFile)]);
  });
});

describe("the .vsix", () => {
  it("is universal: no target platform in its manifest", () => {
    const vsixManifest = entry("extension.vsixmanifest").bytes.toString("utf8");
    expect(vsixManifest).toContain(`Id="${manifest.name}"`);
    expect(vsixManifest).not.toMatch(/TargetPlatform=/);
  });

  it("holds no native binary (.node, ELF, Mach-O or PE)", () => {
    const natives = entries.map((e) => [e.name, nativeBinaryKind(e.name, e.bytes)]).filter(([, kind]) => kind);
    expect(natives).toEqual([]);
  });

  it("holds only the runtime closure named in scripts/vsix-contents.mjs", () => {
    const renamed = { "readme.md": "README.md", "changelog.md": "CHANGELOG.md", "LICENSE.txt": "LICENSE" };
    const globs = allowedPaths();
    const outside = entries
      .filter((e) => !["[Content_Types].xml", "extension.vsixmanifest"].includes(e.name))
      .map((e) => (e.name.startsWith("extension/") ? e.name.slice("extension/".length) : e.name))
      .map((rel) => renamed[rel] ?? rel)
      .filter((rel) => !isAllowed(rel, globs));
    expect(outside).toEqual([]);
  });

  it("carries every bundle the extension loads, the engine's types and the examples", () => {
    for (const { file, required } of BUNDLES) if (required) expect(entry(vsixPath(file)), file).toBeDefined();
    expect(entry("extension/dist/gradscope.d.ts")).toBeDefined();
    for (const example of readdirSync(path.join(repo, "examples")).filter((f) => f.endsWith(".ts"))) {
      expect(entry(`extension/examples/${example}`)?.bytes.toString("utf8")).toBe(readFileSync(path.join(repo, "examples", example), "utf8"));
    }
  });

  it("carries every stylesheet the panel loads, following @import (a missing one leaves a section unstyled)", () => {
    const pending = ["media/panel.css"], seen = new Set();
    while (pending.length) {
      const file = pending.pop();
      if (seen.has(file)) continue;
      seen.add(file);
      const shipped = entry(`extension/${file}`);
      expect(shipped, file).toBeDefined();
      for (const m of shipped.bytes.toString("utf8").matchAll(/@import\s+url\(["']?([^"')]+)["']?\)/g)) pending.push(path.posix.join(path.posix.dirname(file), m[1]));
    }
    expect([...seen]).toContain("media/insight.css");
  });

  it("has every package a bundle requires at run time inside it", () => {
    const packaged = new Set(entries.map((e) => e.name.match(/^extension\/node_modules\/((?:@[^/]+\/)?[^/]+)\/package\.json$/)?.[1]).filter(Boolean));
    for (const bundle of entries.filter((e) => /^extension\/dist\/[^/]+\.js$/.test(e.name))) {
      const missing = bareRequires(bundle.bytes.toString("utf8")).filter((name) => !packaged.has(name) && !OPTIONAL_REQUIRES.has(name));
      expect(missing, bundle.name).toEqual([]);
    }
    // The tsserver plugin shim forwards to the bundled plugin.
    expect(entry("extension/node_modules/gradscope-typescript-plugin/index.js").bytes.toString("utf8")).toContain("../../dist/tsPlugin.js");
  });

  it("has no network code: no bundle loads http, https, net, tls, dgram or dns, nor uses fetch, XHR or WebSocket", () => {
    // The README's privacy line (nothing leaves the machine) rests on this.
    const network = /\brequire\(\s*["'](?:node:)?(?:http|https|http2|net|tls|dgram|dns)["']\s*\)|\bfetch\(|\bnew (?:XMLHttpRequest|WebSocket|EventSource)\b|\bsendBeacon\(/;
    const js = entries.filter((e) => /\.js$/.test(e.name) && !e.name.includes("/node_modules/@esbuild/"));
    for (const e of js) expect(e.bytes.toString("utf8").match(network)?.[0], e.name).toBeUndefined();
  });

  it("keeps class names in the production bundles: a model's console.log(value) prints Value {…}", () => {
    // The package step built dist/ for production; the CLI runs models through the same dist/worker.js.
    const dir = mkdtempSync(path.join(os.tmpdir(), "gradscope-names-"));
    writeFileSync(path.join(dir, "model.ts"), 'import { Value } from "gradscope";\nconst a = new Value(2);\na.mul(3).backward();\nconsole.log(a, a.constructor.name);\n');
    const run = spawnSync(process.execPath, [path.join(repo, "dist", "cli.js"), "run", path.join(dir, "model.ts")], { encoding: "utf8" });
    rmSync(dir, { recursive: true, force: true });
    expect(run.status, run.stderr).toBe(0);
    expect(`${run.stdout}${run.stderr}`).toMatch(/Value \{[\s\S]*\} Value/);
  });

  it(`is at most ${MAX_BYTES / 1024 / 1024} MB`, () => {
    const size = readFileSync(vsixFile).length;
    expect(size).toBeLessThanOrEqual(MAX_BYTES);
  });

  it("ships production bundles: minified, no source maps", () => {
    expect(entries.filter((e) => e.name.endsWith(".map"))).toEqual([]);
    // Minified code has long lines (template literals keep some line breaks); unminified, ~40 characters.
    for (const { file } of BUNDLES.filter((b) => entry(vsixPath(b.file)))) {
      const text = entry(vsixPath(file)).bytes.toString("utf8");
      expect(text.length / text.split("\n").length, file).toBeGreaterThan(300);
    }
  });
});

describe("Marketplace and Open VSX metadata", () => {
  const packaged = () => JSON.parse(entry("extension/package.json").bytes.toString("utf8"));

  it("has a PNG icon of at least 128×128 px, rendered from media/icon.svg", () => {
    expect(packaged().icon).toBe("media/icon.png");
    const png = entry("extension/media/icon.png").bytes;
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.readUInt32BE(16)).toBeGreaterThanOrEqual(128); // IHDR width
    expect(png.readUInt32BE(20)).toBe(png.readUInt32BE(16)); // square
    expect(entry("extension.vsixmanifest").bytes.toString("utf8")).toContain('Type="Microsoft.VisualStudio.Services.Icons.Default" Path="extension/media/icon.png"');
  });

  it("is MIT licensed, with the LICENSE file inside", () => {
    expect(packaged().license).toBe("MIT");
    expect(entry("extension/LICENSE.txt").bytes.toString("utf8")).toMatch(/^MIT License/);
    expect(entry("extension.vsixmanifest").bytes.toString("utf8")).toContain('<License>extension/LICENSE.txt</License>');
  });

  it("has honest categories, keywords, a gallery banner, repository, bugs and Q&A", () => {
    const m = packaged();
    expect(m.categories).not.toContain("Debuggers");
    expect(m.categories.length).toBeGreaterThan(0);
    expect(m.keywords).toContain("backpropagation");
    expect(m.galleryBanner).toEqual({ color: expect.stringMatching(/^#[0-9a-f]{6}$/i), theme: expect.stringMatching(/^(dark|light)$/) });
    expect(m.repository.url).toMatch(/^https:\/\//);
    expect(m.bugs.url).toMatch(/^https:\/\//);
    expect(m.qna).toBeDefined();
    // The packaged manifest carries no development-only fields.
    expect(m.scripts).toBeUndefined();
    expect(m.devDependencies).toBeUndefined();
    expect(m.bin).toBeUndefined();
  });

  it("has a changelog and a README whose images render on the Marketplace (https, no SVG, committed)", () => {
    expect(entry("extension/changelog.md")).toBeDefined();
    const readme = entry("extension/readme.md").bytes.toString("utf8");
    const images = [...readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)[^)]*\)|<img[^>]+src="([^"]+)"/g)].map((m) => m[1] ?? m[2]);
    expect(images.length).toBeGreaterThan(0);
    const base = `${manifest.repository.url.replace(/\.git$/, "")}/raw/HEAD/`;
    for (const src of images) {
      expect(src).toMatch(/^https:\/\//);
      expect(src).not.toMatch(/\.svg$/i);
      // vsce rewrote the README's relative links against the repository: the file must be in it.
      expect(src.startsWith(base), src).toBe(true);
      expect(existsSync(path.join(repo, src.slice(base.length))), src).toBe(true);
    }
  });

  it("passes the Open VSX checks (ovsx's reader and license check, the registry's metadata rules)", async () => {
    expect(await checkForOpenVsx(vsixFile)).toEqual([]);
  });
});

describe("native binary detection", () => {
  it("recognises ELF, Mach-O, PE and .node files, and not text or WebAssembly", () => {
    const pe = Buffer.alloc(0x100);
    pe.write("MZ", 0, "latin1");
    pe.writeUInt32LE(0x80, 0x3c);
    pe.write("PE\0\0", 0x80, "latin1");
    expect(nativeBinaryKind("a", Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]))).toBe("ELF");
    expect(nativeBinaryKind("a", Buffer.from([0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1]))).toBe("Mach-O");
    expect(nativeBinaryKind("a", Buffer.from([0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2]))).toBe("Mach-O");
    expect(nativeBinaryKind("a.exe", pe)).toBe("PE");
    expect(nativeBinaryKind("addon.node", Buffer.from("anything"))).toBeDefined();
    expect(nativeBinaryKind("notes.txt", Buffer.from("MZ is how this text starts, and it goes on long enough to have an offset at 0x3c......"))).toBeUndefined();
    expect(nativeBinaryKind("a.wasm", Buffer.from([0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0]))).toBeUndefined();
  });

  it("recognises the real esbuild binary installed for this machine", () => {
    const dir = path.join(repo, "node_modules", "@esbuild", `${process.platform}-${process.arch}`);
    const binary = path.join(dir, process.platform === "win32" ? "esbuild.exe" : "bin/esbuild");
    expect(nativeBinaryKind(path.basename(binary), readFileSync(binary))).toMatch(/ELF|Mach-O|PE/);
  });
});
