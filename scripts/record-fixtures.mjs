// Builds and runs scripts/recordFixtures.ts: real runs of the examples → test/fixtures/*.json. Needs `npm run build` first.
import * as esbuild from "esbuild";
import { execFileSync } from "node:child_process";

await esbuild.build({
  entryPoints: ["scripts/recordFixtures.ts"], outfile: "dist/scripts/recordFixtures.mjs", bundle: true, platform: "node", target: "node20",
  format: "esm", logLevel: "warning", external: ["esbuild", "typescript"],
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url); const __dirname = import.meta.dirname;" },
});
execFileSync(process.execPath, ["dist/scripts/recordFixtures.mjs", "dist/worker.js", "test/fixtures"], { stdio: "inherit" });
