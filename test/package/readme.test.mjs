// The README is also the Marketplace page: it must stay true to package.json (every command,
// keybinding and setting with its default), keep the two commands first, and use images that
// render there.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const readme = readFileSync(path.join(repo, "README.md"), "utf8");
const manifest = JSON.parse(readFileSync(path.join(repo, "package.json"), "utf8"));
const { commands, keybindings, configuration } = manifest.contributes;
const tableRows = readme.split("\n").filter((l) => l.startsWith("| "));

/** "ctrl+alt+." → "Ctrl+Alt+.", as the README writes keys. */
const keyText = (key) => key.split("+").map((k) => (k.length > 1 ? k[0].toUpperCase() + k.slice(1) : k)).join("+");

describe("README", () => {
  it("gives exactly two commands before its first section: npm run demo, then npm test", () => {
    const firstScreen = readme.slice(0, readme.indexOf("\n## "));
    const commandLines = firstScreen.split("\n").filter((l) => /^ {4}\S/.test(l) || /^```/.test(l)).map((l) => l.trim());
    expect(commandLines).toEqual(["npm run demo", "npm test"]);
    expect(manifest.scripts.demo).toBeDefined();
    expect(manifest.scripts.test).toBeDefined();
  });

  it("lists every command in a table row, with its keybinding", () => {
    for (const c of commands) {
      const row = tableRows.find((r) => r.startsWith(`| ${c.category}: ${c.title} |`));
      expect(row, `${c.category}: ${c.title}`).toBeDefined();
      for (const k of keybindings.filter((b) => b.command === c.command)) {
        expect(row).toContain(keyText(k.key));
        if (k.mac) expect(row).toContain(keyText(k.mac));
      }
    }
  });

  it("lists every setting with its default", () => {
    for (const [id, setting] of Object.entries(configuration.properties)) {
      const row = tableRows.find((r) => r.startsWith(`| \`${id}\` |`));
      expect(row, id).toBeDefined();
      expect(row.split("|")[2].trim(), id).toBe(`\`${JSON.stringify(setting.default)}\``);
    }
  });

  it("says nothing leaves the machine and there is no telemetry", () => {
    expect(readme).toMatch(/Nothing leaves your machine/);
    expect(readme).toMatch(/no telemetry/);
  });

  it("shows screenshots that render on the Marketplace: committed PNGs, relative links, no SVG", () => {
    const images = [...readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1]);
    expect(images).toEqual(["docs/screenshots/chain-rule-hover.png", "docs/screenshots/coffee-shop-training.png", "docs/screenshots/moons-grouped.png"]);
    for (const src of images) {
      const bytes = readFileSync(path.join(repo, src));
      expect(bytes.subarray(1, 4).toString("latin1"), src).toBe("PNG");
    }
    expect(readme).not.toMatch(/<svg|\.svg\)/i);
  });

  it("names the package file the package step writes", () => {
    expect(readme).toContain(`gradscope-${manifest.version}.vsix`);
    expect(readme).not.toMatch(/gradscope-(linux|darwin|win32)-/);
  });

  it("links only to files that exist", () => {
    const links = [...readme.matchAll(/(?<!!)\[[^\]]*\]\(([^)\s#]+)\)/g)].map((m) => m[1]).filter((l) => !/^\w+:/.test(l));
    for (const l of links) expect(existsSync(path.join(repo, l)), l).toBe(true);
  });
});
