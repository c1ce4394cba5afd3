// What to look for: a nan-origin finding — `log` of 0 at the `const barrier` line, first in
// step 5 — and (in the panel) the run pausing there. The barrier log(1 − w·x) keeps w·x below 1
// while the squared error pulls w towards 3; SGD steps over the edge, the ReLU clips the
// margin to exactly 0, and log(0) = −Infinity poisons the loss and every gradient after it.
// Try: gradscope run nan-hunt.ts --json --break-on nan
import { SGD, Value } from "gradscope";

const w = new Value(0.1, "w");
const optimizer = new SGD([w], { lr: 0.02 });

for (let step = 1; step <= 12; step++) {
  const margin = new Value(1).sub(w.mul(2)).relu();
  const barrier = margin.log().mul(-0.001);
  const fit = w.sub(3).pow(2);
  const loss = fit.add(barrier);
  optimizer.zeroGrad();
  loss.backward();
  optimizer.step();
  console.log(`step ${step}: w = ${w.data.toFixed(3)}, loss = ${loss.data}`);
}
