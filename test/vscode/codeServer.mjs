// Starts and stops a real code-server (VS Code 1.100 in the browser) for the tests and the demo.
import { spawn, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const codeServerBin = path.join(repoRoot, ".tools", "code-server", "node_modules", ".bin", "code-server");

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

/** Runs scripts/setup-code-server.sh (a no-op when code-server 4.100.3 is already there). */
export function ensureCodeServer() {
  execFileSync("bash", [path.join(repoRoot, "scripts", "setup-code-server.sh")], { stdio: "inherit" });
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts code-server on 127.0.0.1 and waits until it answers. `trusted: false` keeps workspace
 * trust on (Restricted Mode for the folder) without the startup prompt; `settings` are added to
 * the user's settings.json.
 */
export async function startCodeServer({ folder, dataDir, extensionsDir, trusted = true, settings = {}, log = () => {} }) {
  const port = await freePort();
  const userDataDir = path.join(dataDir, "user-data");
  mkdirSync(path.join(userDataDir, "User"), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(
    path.join(userDataDir, "User", "settings.json"),
    JSON.stringify(
      {
        "security.workspace.trust.startupPrompt": "never",
        "security.workspace.trust.banner": "never",
        "workbench.startupEditor": "none",
        "workbench.tips.enabled": false,
        "extensions.autoCheckUpdates": false,
        "extensions.autoUpdate": false,
        "update.mode": "none",
        "telemetry.telemetryLevel": "off",
        // The examples live inside this repo's git checkout; do not ask about it.
        "git.openRepositoryInParentFolders": "never",
        "typescript.tsserver.log": process.env.GRADSCOPE_TSSERVER_LOG ? "verbose" : "off",
        ...settings,
      },
      null,
      2,
    ),
  );
  const args = [
    "--bind-addr", `127.0.0.1:${port}`,
    "--auth", "none",
    "--disable-telemetry",
    "--disable-update-check",
    "--extensions-dir", extensionsDir,
    "--user-data-dir", userDataDir,
    ...(trusted ? ["--disable-workspace-trust"] : []),
    folder,
  ];
  // Its own process group, so stopping it also stops the extension host and tsserver it spawned.
  const child = spawn(codeServerBin, args, { detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, PASSWORD: undefined } });
  // Detached servers outlive an interrupted test run unless we stop them ourselves.
  const stopOnSignal = () => {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {}
    process.exit(130);
  };
  process.once("SIGINT", stopOnSignal);
  process.once("SIGTERM", stopOnSignal);
  child.once("exit", () => {
    process.off("SIGINT", stopOnSignal);
    process.off("SIGTERM", stopOnSignal);
  });
  child.stdout.on("data", (d) => log(String(d)));
  child.stderr.on("data", (d) => log(String(d)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`code-server exited early with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error("code-server did not start within 60 s");
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    port,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        return;
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {}
      }, 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Installs a .vsix into an extensions dir with code-server's own CLI, as a user would. */
export function installVsix(vsix, extensionsDir, dataDir) {
  if (!existsSync(vsix)) throw new Error(`${vsix} does not exist; run npm run package`);
  execFileSync(codeServerBin, ["--extensions-dir", extensionsDir, "--user-data-dir", path.join(dataDir, "user-data"), "--install-extension", vsix, "--force"], { stdio: "inherit" });
}
