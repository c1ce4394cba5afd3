import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { SnapshotJSON } from "../../src/protocol/graph";

/** Snapshots recorded from real runs of the examples (test/fixtures, written by the runner). */
const dir = join(process.env.GRADSCOPE_ROOT ?? join(__dirname, "../.."), "test/fixtures");

export function fixture(name: "chain-rule" | "coffee-shop" | "moons-mlp"): SnapshotJSON {
  return JSON.parse(readFileSync(join(dir, `${name}.snapshot.json`), "utf8"));
}

export function fixtureSteps(name: "chain-rule" | "coffee-shop" | "moons-mlp"): SnapshotJSON[] {
  return JSON.parse(readFileSync(join(dir, `${name}.steps.json`), "utf8"));
}
