#!/usr/bin/env node
// The same extension-host suites in desktop VS Code via @vscode/test-electron, for machines that
// can download VS Code (this one cannot; runInCodeServer.mjs is what CI uses). The untrusted suite
// needs workspace trust on, so it runs in a second VS Code without --disable-workspace-trust.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as esbuild from "esbuild";
import { runTests } from "@vscode/test-electron";
import { repoRoot } from "./codeServer.mjs";

execFileSync(process.execPath, [path.join(repoRoot, "scripts", "package-vsix.mjs"), "--stage-only"], { stdio: "inherit" });
const extensionDevelopmentPath = path.join(repoRoot, "out", "stage", "gradscope");
const testsOut = path.join(repoRoot, "out", "test", "vscode");
await esbuild.build({
  entryPoints: { trusted: "test/vscode/suite/trusted.ts", untrusted: "test/vscode/suite/untrusted.ts", multiroot: "test/vscode/suite/multiroot.ts" },
  absWorkingDir: repoRoot, outdir: testsOut, bundle: true, platform: "node", target: "node20", format: "cjs",
  sourcemap: "inline", external: ["vscode"], logLevel: "warning",
});

let failed = 0;
for (const suite of ["trusted", "untrusted", "multiroot"]) {
  const trusted = suite !== "untrusted";
  const scratch = mkdtempSync(path.join(os.tmpdir(), "gradscope-electron-"));
  const workspace = path.join(scratch, "workspace");
  const userData = path.join(scratch, "user-data");
  mkdirSync(workspace);
  mkdirSync(path.join(userData, "User"), { recursive: true });
  let opened = workspace;
  if (suite === "multiroot") {
    // Two folders, beta with its own settings (see suite/multiroot.ts).
    for (const name of ["alpha", "beta"]) {
      mkdirSync(path.join(scratch, name, ".vscode"), { recursive: true });
      cpSync(path.join(repoRoot, "examples", "chain-rule.ts"), path.join(scratch, name, "chain-rule.ts"));
    }
    writeFileSync(path.join(scratch, "beta", ".vscode", "settings.json"), JSON.stringify({ "gradscope.collapseThreshold": 7, "gradscope.inlineValues": false }));
    opened = path.join(scratch, "models.code-workspace");
    writeFileSync(opened, JSON.stringify({ folders: [{ path: "alpha" }, { path: "beta" }] }));
  }
  writeFileSync(path.join(userData, "User", "settings.json"), JSON.stringify({ "security.workspace.trust.startupPrompt": "never" }));
  for (const dir of ["examples", "test/vscode/fixtures"]) {
    for (const f of readdirSync(path.join(repoRoot, dir))) if (f.endsWith(".ts")) cpSync(path.join(repoRoot, dir, f), path.join(workspace, f));
  }
  try {
    await runTests({
      version: "1.100.3",
      extensionDevelopmentPath,
      extensionTestsPath: path.join(testsOut, `${suite}.js`),
      launchArgs: [opened, "--user-data-dir", userData, "--disable-extensions", ...(trusted ? ["--disable-workspace-trust"] : [])],
    });
  } catch (err) {
    console.error(err);
    failed++;
  }
}
process.exit(failed ? 1 : 0);
