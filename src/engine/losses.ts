import { Value, toValue, type Operand } from "./value";

/** Adds values left to right (one add node per term). */
export function sum(xs: Operand[]): Value {
  if (xs.length === 0) throw new RangeError("sum() of an empty list");
  let acc = toValue(xs[0]);
  for (let i = 1; i < xs.length; i++) acc = acc.add(xs[i]);
  return acc;
}

/** Mean squared error. */
export function mse(predictions: Value[], targets: Operand[]): Value {
  checkLengths(predictions, targets);
  return sum(predictions.map((p, i) => p.sub(targets[i]).pow(2))).div(predictions.length);
}

/** micrograd's SVM "max-margin" loss, mean of relu(1 − y·score) for labels y = ±1. */
export function hinge(scores: Value[], labels: number[]): Value {
  checkLengths(scores, labels);
  return sum(scores.map((s, i) => s.mul(-labels[i]).add(1).relu())).div(scores.length);
}

/** −log softmax(logits)[target], shifted by the max logit for stability. */
export function softmaxCrossEntropy(logits: Value[], target: number): Value {
  if (!Number.isInteger(target) || target < 0 || target >= logits.length)
    throw new RangeError(`target ${target} is not a class index in 0..${logits.length - 1}`);
  const max = Math.max(...logits.map((l) => l.data));
  const shifted = logits.map((l) => l.sub(max));
  return sum(shifted.map((s) => s.exp())).log().sub(shifted[target]);
}

function checkLengths(a: unknown[], b: unknown[]): void {
  if (a.length !== b.length) throw new RangeError(`${a.length} predictions but ${b.length} targets`);
  if (a.length === 0) throw new RangeError("a loss of no predictions");
}
