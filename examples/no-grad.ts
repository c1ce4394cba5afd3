// What to look for: a no-grad finding for `bias` at the `const bias` line, at step 2: the
// parameter is handed to the optimizer but left out of the loss, so backward() never reaches
// it and it never learns. The fix: use it — `const pred = w.mul(x).add(bias)`.
// Try: gradscope run no-grad.ts --json --values none
import { SGD, Value } from "gradscope";

const w = new Value(0.3, "w");
const bias = new Value(0, "bias");
const optimizer = new SGD([w, bias], { lr: 0.1 });
const data = [[1, 3], [2, 5], [3, 7]];

for (let step = 1; step <= 5; step++) {
  let loss = new Value(0);
  for (const [x, y] of data) {
    const pred = w.mul(x); // the mistake: + bias is missing
    loss = loss.add(pred.sub(y).pow(2));
  }
  optimizer.zeroGrad();
  loss.backward();
  optimizer.step();
}
