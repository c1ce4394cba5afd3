/**
 * Records real runs of the examples as test fixtures (SnapshotJSON):
 *   test/fixtures/<example>.snapshot.json  the first step's snapshot
 *   test/fixtures/<example>.steps.json     the first few steps' snapshots, in order
 * Run through scripts/record-fixtures.mjs (which builds this file).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type { Snapshot } from "../src/protocol/graph";
import { snapshotToJSON } from "../src/graph/snapshotJson";
import { ModelSession } from "../src/runner/session";

const [workerScript, outDir] = process.argv.slice(2);

async function record(example: string, steps: number): Promise<Snapshot[]> {
  const session = new ModelSession({ file: path.resolve("examples", `${example}.ts`), maxSteps: steps, throttleMs: 0 }, workerScript);
  const snaps: Snapshot[] = [];
  const done = new Promise<void>((resolve, reject) =>
    session.onEvent((e) => {
      if (e.type === "graph") snaps.push(e.snapshot);
      if (e.type === "end") (e.error ? reject(new Error(`${example}: ${e.error.message}`)) : resolve());
    }),
  );
  await session.start();
  await done;
  session.dispose();
  return snaps;
}

mkdirSync(outDir, { recursive: true });
for (const [example, steps] of [["chain-rule", 1], ["coffee-shop", 5], ["moons-mlp", 2]] as const) {
  const snaps = await record(example, steps);
  writeFileSync(path.join(outDir, `${example}.snapshot.json`), JSON.stringify(snapshotToJSON(snaps[0])));
  writeFileSync(path.join(outDir, `${example}.steps.json`), JSON.stringify(snaps.map(snapshotToJSON)));
  console.log(`${example}: ${snaps.length} step(s), ${snaps[0].topology.op.length} nodes`);
}
