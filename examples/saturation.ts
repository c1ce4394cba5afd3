// What to look for: a saturation finding on tanhNet/layer1 at the `const h` line in step 1:
// with weights ×10 nearly every tanh output is at ±1, where 1 − t² ≈ 0 cuts the gradient.
// The fix is one line: set SCALE to 1 (or to 1/√fan-in) and run again — no finding.
// Try: gradscope run saturation.ts --json --values none --steps 3
import { SGD, Rng, Value, makeMoons, scope, mse } from "gradscope";

const SCALE = 10; // the mistake: weights ×10
const rng = new Rng(3);
const { X, y } = makeMoons(30, 0.1, rng);
const W1 = Array.from({ length: 8 }, (_, j) => [0, 1].map((i) => new Value(rng.uniform(-1, 1) * SCALE, `w1_${j}_${i}`)));
const W2 = Array.from({ length: 8 }, (_, j) => new Value(rng.uniform(-1, 1), `w2_${j}`));
const optimizer = new SGD([...W1.flat(), ...W2], { lr: 0.05 });

for (let k = 0; k < 5; k++) {
  const preds = X.map((x) =>
    scope("tanhNet", () => {
      const h = W1.map((w, j) => scope(`layer1/neuron${j + 1}`, () => w[0].mul(x[0]).add(w[1].mul(x[1])).tanh()));
      return scope("out", () => h.reduce((acc: Value, hj, j) => acc.add(hj.mul(W2[j])), new Value(0)));
    }),
  );
  const loss = mse(preds, y);
  optimizer.zeroGrad();
  loss.backward();
  optimizer.step();
}
