/**
 * Compile latency: Gradscope's compiler (TypeScript's parser + in-place edits,
 * pure JavaScript) against native esbuild bundling the same files (the previous
 * compiler, without instrumentation), on the three examples and a generated
 * 2.7 MB data module. "cold" is the first compile in a fresh process
 * (loading the compiler included), "warm" a repeat in the same process. Runs are interleaved; each
 * figure is a median, with the range over the runs.
 */
import * as esbuild from "esbuild";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { compileModel } from "../src/runner/compile/compile";

type Mode = "gradscope" | "esbuild";

async function compileOnce(mode: Mode, file: string): Promise<void> {
  if (mode === "gradscope") {
    const r = await compileModel(file);
    if (!r.ok) throw new Error(r.error.message);
  } else {
    await esbuild.build({ entryPoints: [file], bundle: true, write: false, platform: "node", format: "cjs", target: "node20", outfile: `${file}.js`,
      sourcemap: "external", sourcesContent: false, external: ["gradscope"], logLevel: "silent" });
  }
}

/** Child mode: the first compile in a fresh process (loading TypeScript, or starting esbuild's service, included). */
async function once(): Promise<void> {
  const t = performance.now();
  await compileOnce(process.argv[3] as Mode, process.argv[4]);
  console.log((performance.now() - t).toFixed(1));
  process.exit(0);
}

function dataModule(dir: string): string {
  let seed = 1;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  const rows: string[] = [];
  let size = 0;
  while (size < 2.7e6) {
    const row = `  [${Array.from({ length: 8 }, () => rnd().toFixed(15)).join(", ")}],`;
    rows.push(row);
    size += row.length + 1;
  }
  writeFileSync(path.join(dir, "data.ts"), `export const X: number[][] = [\n${rows.join("\n")}\n];\n`);
  const model = path.join(dir, "data-model.ts");
  writeFileSync(model, `import { Value } from "gradscope";\nimport { X } from "./data";\nconst w = new Value(X.length);\nw.backward();\n`);
  return model;
}

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];
const range = (xs: number[]) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), "gradscope-bench-compile-"));
  const files = [
    ...["chain-rule", "coffee-shop", "moons-mlp"].map((n) => [n, path.resolve(`examples/${n}.ts`)] as const),
    ["2.7 MB data module", dataModule(dir)] as const,
  ];
  const self = process.argv[1];
  const ROUNDS = 3;
  console.log("file                 | gradscope cold | esbuild cold | gradscope warm | esbuild warm | warm ratio (gradscope/esbuild)");
  for (const [name, file] of files) {
    const cold: Record<Mode, number[]> = { gradscope: [], esbuild: [] };
    const warm: Record<Mode, number[]> = { gradscope: [], esbuild: [] };
    for (let r = 0; r < ROUNDS; r++) {
      for (const mode of ["gradscope", "esbuild"] as Mode[]) {
        cold[mode].push(Number(execFileSync(process.execPath, [self, "--once", mode, file], { encoding: "utf8" }).trim()));
        await compileOnce(mode, file); // warm-up in this process
        const t = performance.now();
        await compileOnce(mode, file);
        warm[mode].push(performance.now() - t);
      }
    }
    const ratios = warm.gradscope.map((g, i) => g / warm.esbuild[i]);
    console.log(
      `${name.padEnd(20)} | ${median(cold.gradscope).toFixed(0).padStart(5)} ms (${range(cold.gradscope)}) | ${median(cold.esbuild).toFixed(0).padStart(4)} ms (${range(cold.esbuild)}) | ` +
        `${median(warm.gradscope).toFixed(0).padStart(4)} ms (${range(warm.gradscope)}) | ${median(warm.esbuild).toFixed(0).padStart(4)} ms (${range(warm.esbuild)}) | ` +
        `${median(ratios).toFixed(2)}× (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`,
    );
  }
  console.log("(cold: the first compile in a fresh process — gradscope loads TypeScript, esbuild starts its native service; warm: a repeat in the same process)");
}

// Built as CommonJS (bench/run.mjs) so that TypeScript loads inside the timed first compile, as in the runner.
void (process.argv[2] === "--once" ? once() : main());
