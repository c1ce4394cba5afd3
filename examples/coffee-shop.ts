// The seed's coffee shop: money = start + change × distance, fitted by gradient descent.
// Each backward() is one step: watch the loss fall and each update, e.g. start: 500 − 0.01 × grad.
import { Value, SGD, mse } from "gradscope";

// Distance from the station (km) → takings ($).
const distances = [0.5, 1.0, 1.5, 2.0, 3.0, 4.0];
const takings = [580, 540, 520, 470, 400, 330];

const start = new Value(500); // starting money
const change = new Value(-50); // change per km
const optimizer = new SGD([start, change], { lr: 0.01 });

for (let step = 1; step <= 300; step++) {
  const predictions = distances.map((x) => start.add(change.mul(x)));
  const loss = mse(predictions, takings);
  optimizer.zeroGrad();
  loss.backward();
  optimizer.step();
  if (step % 50 === 0) console.log(`step ${step}: money = ${start.data.toFixed(1)} + ${change.data.toFixed(2)} × km, loss ${loss.data.toFixed(1)}`);
}
