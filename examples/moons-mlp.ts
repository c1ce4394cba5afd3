// micrograd's demo: an MLP 2-16-16-1 learns to separate two moons (100 seeded points),
// with the SVM max-margin (hinge) loss + L2 regularisation, and SGD with a decaying rate.
import { MLP, SGD, hinge, makeMoons, sum, Rng } from "gradscope";

const rng = new Rng(1337);
const { X, y } = makeMoons(100, 0.1, rng);
const model = new MLP(2, [16, 16, 1], { rng });
const optimizer = new SGD(model.parameters(), { lr: 1.0 });

for (let k = 0; k < 100; k++) {
  const scores = X.map((x) => model.forward(x)[0]);
  const dataLoss = hinge(scores, y);
  const regLoss = sum(model.parameters().map((p) => p.mul(p))).mul(1e-4);
  const loss = dataLoss.add(regLoss);
  const accuracy = scores.filter((s, i) => s.data > 0 === y[i] > 0).length / y.length;

  optimizer.zeroGrad();
  loss.backward();
  optimizer.step(1.0 - (0.9 * k) / 100);
  if (k % 10 === 0) console.log(`step ${k}: loss ${loss.data.toFixed(4)}, accuracy ${(accuracy * 100).toFixed(0)}%`);
}
