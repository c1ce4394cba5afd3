#!/usr/bin/env node
// Offline Open VSX verification of a .vsix. No `ovsx` command verifies without the registry
// (publish, verify-pat and get all talk to it), so this runs what they would: ovsx's own reader
// and license check on the package, then the metadata rules the Open VSX server applies when
// it accepts a publish (its ExtensionValidator: names, version characters, field lengths, URL
// fields, galleryBanner, qna, target platform).
//
//   node scripts/openvsx-check.mjs out/gradscope-<version>.vsix   → prints the issues, exit 1 if any
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { readZip } from "./vsix-contents.mjs";

const require = createRequire(import.meta.url);
const { isLicenseOk, validateManifest } = require("ovsx");
const { readVSIXPackage } = require("ovsx/lib/zip");

const NAME = /^[\w\-+$~]+$/;
const TARGET_PLATFORMS = ["win32-x64", "win32-ia32", "win32-arm64", "linux-x64", "linux-arm64", "linux-armhf", "alpine-x64", "alpine-arm64", "darwin-x64", "darwin-arm64", "web", "universal"];

/** What Open VSX would object to in this package; empty when it would accept it. */
export async function checkForOpenVsx(vsixFile) {
  const issues = [];
  // What `ovsx publish <file>` reads first: extension/package.json inside the package.
  const manifest = await readVSIXPackage(vsixFile);
  try {
    validateManifest(manifest);
  } catch (err) {
    issues.push(err.message);
  }
  const entries = await readZip(vsixFile);
  const names = entries.map((e) => e.name);
  // ovsx refuses to publish an unlicensed extension to open-vsx.org.
  const hasLicenseFile = names.some((n) => /^extension\/licen[cs]e(\.(md|txt))?$/i.test(n));
  if (!(await isLicenseOk(undefined, manifest)) || !manifest.license) issues.push("no `license` in package.json");
  if (!hasLicenseFile) issues.push("no LICENSE file in the package");

  const vsixManifest = entries.find((e) => e.name === "extension.vsixmanifest")?.bytes.toString("utf8") ?? "";
  const target = vsixManifest.match(/TargetPlatform="([^"]+)"/)?.[1] ?? "universal";
  if (!TARGET_PLATFORMS.includes(target)) issues.push(`unsupported target platform ${target}`);

  for (const [field, value] of [["publisher", manifest.publisher], ["name", manifest.name]]) {
    if (!value || !NAME.test(value)) issues.push(`invalid ${field}: ${value}`);
    else if (value.length > 255) issues.push(`${field} longer than 255 characters`);
  }
  checkVersion(manifest.version, issues);
  text(manifest.displayName, "displayName", 255, issues);
  text(manifest.description, "description", 2048, issues);
  for (const c of manifest.categories ?? []) text(c, "categories", 255, issues);
  for (const k of manifest.keywords ?? []) text(k, "keywords", 255, issues);
  text(manifest.license, "license", 255, issues);
  url(manifest.homepage, "homepage", issues);
  url(typeof manifest.repository === "string" ? manifest.repository : manifest.repository?.url, "repository", issues);
  url(typeof manifest.bugs === "string" ? manifest.bugs : manifest.bugs?.url, "bugs", issues);
  if (manifest.markdown !== undefined && !["github", "standard"].includes(manifest.markdown)) issues.push(`markdown must be github or standard: ${manifest.markdown}`);
  if (manifest.galleryBanner) {
    text(manifest.galleryBanner.color, "galleryBanner.color", 16, issues);
    if (manifest.galleryBanner.theme !== undefined && !["dark", "light"].includes(manifest.galleryBanner.theme)) issues.push(`galleryBanner.theme must be dark or light: ${manifest.galleryBanner.theme}`);
  }
  if (manifest.qna !== undefined) {
    const qna = String(manifest.qna);
    if (!["marketplace", "false"].includes(qna) && !isUrl(qna)) issues.push(`qna must be marketplace, false or a URL: ${qna}`);
    if (qna.length > 255) issues.push("qna longer than 255 characters");
  }
  if (!manifest.engines?.vscode) issues.push("no engines.vscode");
  return issues;
}

function checkVersion(version, issues) {
  if (!version) return issues.push("empty version");
  if (["latest", "pre-release", "reviews"].includes(version)) issues.push(`reserved version ${version}`);
  const bad = [...version].find((c) => !/[\p{L}\p{N}]/u.test(c) && !"$+-,.:;_".includes(c));
  if (bad !== undefined) issues.push(`invalid character '${bad}' in version ${version}`);
}

/** Control, format, private-use and unassigned characters are refused, and so are long values. */
function text(value, field, limit, issues) {
  if (value === undefined || value === null) return;
  if (/[\p{Cc}\p{Cf}\p{Co}\p{Cn}\u2028\u2029]/u.test(value)) issues.push(`invalid character in ${field}: ${JSON.stringify(value)}`);
  if (value.length > limit) issues.push(`${field} longer than ${limit} characters`);
}

function url(value, field, issues) {
  if (!value) return;
  if (!isUrl(value)) issues.push(`invalid URL in ${field}: ${value}`);
  if (value.length > 255) issues.push(`${field} longer than 255 characters`);
}

function isUrl(value) {
  try {
    return new URL(value.startsWith("git+") ? value.slice(4) : value).host !== "";
  } catch {
    return false;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (!file) {
    console.error("usage: node scripts/openvsx-check.mjs FILE.vsix");
    process.exit(2);
  }
  const issues = await checkForOpenVsx(file);
  for (const i of issues) console.log(`  ✗ ${i}`);
  console.log(issues.length ? `${path.basename(file)}: Open VSX would reject it (${issues.length} issues)` : `${path.basename(file)}: Open VSX checks passed`);
  process.exit(issues.length ? 1 : 0);
}
