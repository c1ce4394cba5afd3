/**
 * The cost of health tracking (issue 10: ≤ 10% of a moons step), measured as
 * the worker pays it on a reported step: WorkerHealth.mustReport + check (all
 * detectors, the no-grad scan of parameters) on the step's report, against
 * the model's own step (forward, backward, SGD update) on micrograd's moons
 * MLP 2-16-16-1 with 100 points. Both are timed inside the same steps, so a
 * busy moment of the shared machine lands on both; per block of BLOCK steps
 * the ratio Σ health / Σ step, the median over blocks per round, and the
 * range over ROUNDS rounds is printed, for a report with every node's numbers
 * (the panel) and one with the leaves' (the CLI: the detectors read the rest
 * in the engine's store). Building the report itself is not counted on either
 * side: the worker builds it for every reported step anyway.
 * Prints figures, asserts nothing.
 */
import { MLP, SGD, hinge, makeMoons, sum, Rng } from "../src/engine";
import { engine } from "../src/engine/context";
import { WorkerHealth } from "../src/analysis/health/inWorker";
import { Reporter } from "../src/runner/worker/reporter";

const WARM = 100, MEASURED = 300, BLOCK = 10, ROUNDS = 5;

function round(values: "all" | "leaves"): { ratio: number; stepMs: number; healthMs: number } {
  const rng = new Rng(1337);
  const { X, y } = makeMoons(100, 0.1, rng);
  const model = new MLP(2, [16, 16, 1], { rng });
  const optimizer = new SGD(model.parameters(), { lr: 0.1 });
  // Parameters made before tracking started are registered the way an optimizer/nn module does under a host.
  const health = new WorkerHealth(undefined, () => {}, () => {});
  engine.params.push(...model.parameters());
  const reporter = new Reporter([]);
  engine.recordUpdates = true;
  let healthMs = 0, reportMs = 0, stepNo = 0;
  engine.onBackward = (root) => {
    stepNo++;
    const r0 = performance.now();
    const r = reporter.report(values);
    engine.updates.length = 0;
    const t0 = performance.now();
    reportMs += t0 - r0;
    health.mustReport(stepNo, root.data);
    health.check(stepNo, r, () => reporter.numbersInPlace());
    health.flush();
    healthMs += performance.now() - t0;
  };
  const ratios: number[] = [];
  let sumStep = 0, sumHealth = 0, n = 0;
  for (let done = 0; done < WARM + MEASURED; done += BLOCK) {
    healthMs = 0;
    reportMs = 0;
    const t0 = performance.now();
    for (let k = 0; k < BLOCK; k++) {
      const scores = X.map((x) => model.forward(x)[0]);
      const loss = hinge(scores, y).add(sum(model.parameters().map((p) => p.mul(p))).mul(1e-4));
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
    }
    // The model's own step: forward, backward, update (the report and health taken out).
    const stepMs = performance.now() - t0 - healthMs - reportMs;
    if (done >= WARM) {
      ratios.push(healthMs / stepMs);
      sumStep += stepMs;
      sumHealth += healthMs;
      n += BLOCK;
    }
  }
  engine.onBackward = null;
  engine.recordUpdates = false;
  engine.trackParams = false;
  engine.params.length = 0;
  ratios.sort((a, b) => a - b);
  return { ratio: ratios[ratios.length >> 1], stepMs: sumStep / n, healthMs: sumHealth / n };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
console.log(`health tracking on a reported moons step (2-16-16-1, 100 points), ${ROUNDS} rounds of ${MEASURED} steps each way:`);
for (const values of ["all", "leaves"] as const) {
  const rounds = Array.from({ length: ROUNDS }, () => round(values));
  for (const r of rounds) console.log(`  ${values}: step ${r.stepMs.toFixed(2)} ms, health ${r.healthMs.toFixed(3)} ms → ${pct(r.ratio)} (median over blocks)`);
  const rs = rounds.map((r) => r.ratio).sort((a, b) => a - b);
  const how = values === "all" ? "a report with every node's numbers (the panel)" : "a report with the leaves' numbers (the CLI; the rest read in the store)";
  console.log(`health / step, ${how}: ${pct(rs[0])}–${pct(rs[rs.length - 1])} (target ≤ 10%)`);
}
