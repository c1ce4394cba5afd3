import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { SnapshotJSON } from "../../src/graph/snapshotJson";

/** Snapshots recorded from real runs of the examples (test/fixtures, written by the runner). */
const dir = join(process.env.GRADSCOPE_ROOT ?? join(__dirname, "../.."), "test/fixtures");

export function fixture(name: "chain-rule" | "coffee-shop" | "moons-mlp"): SnapshotJSON {
  return JSON.parse(readFileSync(fixturePath(`${name}.snapshot.json`), "utf8"));
}

export function fixtureSteps(name: "chain-rule" | "coffee-shop" | "moons-mlp"): SnapshotJSON[] {
  return JSON.parse(readFileSync(fixturePath(`${name}.steps.json`), "utf8"));
}

function fixturePath(file: string): string {
  const path = join(dir, file);
  // The fixtures are recorded, not committed (they are large): say how to make them.
  if (!existsSync(path)) throw new Error(`${path} is missing: record the fixtures with \`npm run build && node scripts/record-fixtures.mjs\``);
  return path;
}
