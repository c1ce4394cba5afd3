// What to look for: a growing-graph finding at the `state = ...` line, at step 4: `state` is a
// Value carried from one step to the next, so every step's graph holds all earlier steps'
// (the node count climbs 6, 8, 10, …) and backward() does ever more work; its first leaf,
// state0, also collects gradient every step (a not-zeroed finding). The fix: carry
// the number, not the Value — `state = new Value(next.data)` — or reset it each step.
// Try: gradscope run leak.ts --json --values none
import { SGD, Value } from "gradscope";

const w = new Value(0.5, "w");
const optimizer = new SGD([w], { lr: 0.01 });
let state = new Value(0, "state0");

for (let step = 1; step <= 8; step++) {
  state = state.mul(0.9).add(w);
  const loss = state.sub(1).pow(2);
  optimizer.zeroGrad();
  loss.backward();
  optimizer.step();
}
