// What to look for: a dead-relu finding on MLP/layer1/neuron2 at the `const scores` line, at
// step 10 (ReLUs dead 10 steps in a row, the default). Its bias starts at −10: w·x + b < 0 for
// every point, so the ReLU outputs 0, passes no gradient, and the neuron never learns its way
// back. The fix: initialise biases near 0 (as MLP does), or use a leaky activation.
// Try: gradscope run dead-relu.ts --json --values none
import { MLP, SGD, hinge, makeMoons, Rng } from "gradscope";

const rng = new Rng(42);
const { X, y } = makeMoons(40, 0.1, rng);
const model = new MLP(2, [8, 1], { rng });
model.layers[0].neurons[1].b.data = -10; // the bad initialisation
const optimizer = new SGD(model.parameters(), { lr: 0.05 });

for (let k = 0; k < 15; k++) {
  const scores = X.map((x) => model.forward(x)[0]);
  const loss = hinge(scores, y);
  optimizer.zeroGrad();
  loss.backward();
  optimizer.step();
}
