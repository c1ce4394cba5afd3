/**
 * The cost of health tracking (issue 10: ≤ 10% of a moons step), measured as
 * the worker pays it on a reported step: WorkerHealth.mustReport + check (all
 * detectors, the no-grad scan of parameters) on the step's report, against
 * the model's own step (forward, backward, SGD update) on micrograd's moons
 * MLP 2-16-16-1 with 100 points. Both are timed inside the same steps, so a
 * busy moment of the shared machine lands on both; per block of BLOCK steps
 * the ratio Σ health / Σ step, the median over blocks per round, and the
 * range over ROUNDS rounds is printed. Building the report itself is not
 * counted on either side: the worker builds it for every reported step anyway.
 * Prints figures, asserts nothing.
 */
import { MLP, SGD, hinge, makeMoons, sum, Rng } from "../src/engine";
import { engine } from "../src/engine/context";
import { WorkerHealth } from "../src/analysis/health/inWorker";
import { Reporter } from "../src/runner/worker/reporter";

const WARM = 100, MEASURED = 300, BLOCK = 10, ROUNDS = 5;

function round(): { ratio: number; stepMs: number; healthMs: number; copyMs: number } {
  const rng = new Rng(1337);
  const { X, y } = makeMoons(100, 0.1, rng);
  const model = new MLP(2, [16, 16, 1], { rng });
  const optimizer = new SGD(model.parameters(), { lr: 0.1 });
  // Parameters made before tracking started are registered the way an optimizer/nn module does under a host.
  const health = new WorkerHealth(undefined, () => {}, () => {});
  engine.params.push(...model.parameters());
  const reporter = new Reporter([]);
  engine.recordUpdates = true;
  let healthMs = 0, reportMs = 0, copyMs = 0, stepNo = 0;
  engine.onBackward = (root) => {
    stepNo++;
    const r0 = performance.now();
    const r = reporter.report("all");
    engine.updates.length = 0;
    const t0 = performance.now();
    reportMs += t0 - r0;
    health.mustReport(stepNo, root.data);
    health.check(stepNo, r);
    health.flush();
    const t1 = performance.now();
    healthMs += t1 - t0;
    // What a subset report (the host asked for leaves/none) adds: the detectors read every node's numbers.
    reporter.allNumbers();
    const t2 = performance.now();
    copyMs += t2 - t1;
    reportMs += t2 - t1;
  };
  const ratios: number[] = [];
  let sumStep = 0, sumHealth = 0, sumCopy = 0, n = 0;
  for (let done = 0; done < WARM + MEASURED; done += BLOCK) {
    healthMs = 0;
    reportMs = 0;
    copyMs = 0;
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
      sumCopy += copyMs;
      n += BLOCK;
    }
  }
  engine.onBackward = null;
  engine.recordUpdates = false;
  engine.trackParams = false;
  engine.params.length = 0;
  ratios.sort((a, b) => a - b);
  return { ratio: ratios[ratios.length >> 1], stepMs: sumStep / n, healthMs: sumHealth / n, copyMs: sumCopy / n };
}

const rounds = Array.from({ length: ROUNDS }, round);
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
console.log(`health tracking on a reported moons step (2-16-16-1, 100 points), ${ROUNDS} rounds of ${MEASURED} steps:`);
for (const r of rounds) console.log(`  step ${r.stepMs.toFixed(2)} ms, health ${r.healthMs.toFixed(3)} ms → ${pct(r.ratio)} (median over blocks)`);
const rs = rounds.map((r) => r.ratio).sort((a, b) => a - b);
console.log(`health / step: ${pct(rs[0])}–${pct(rs[rs.length - 1])} (target ≤ 10%)`);
// When the host asked for leaves or none (the CLI), the worker's report has no op nodes' numbers: the detectors copy them (reporter.allNumbers()).
const cp = rounds.map((r) => r.copyMs / r.stepMs).sort((a, b) => a - b);
console.log(`+ copying every node's numbers when the report is a subset (CLI --values leaves/none): ${pct(cp[0])}–${pct(cp[cp.length - 1])}`);
