// The seed: the chain rule on one tiny expression.
// loss = (a·b + 1)², so ∂loss/∂a = 2(ab+1)·b = 42 and ∂loss/∂b = 2(ab+1)·a = 28.
import { Value } from "gradscope";

const a = new Value(2.0);
const b = new Value(3.0);
const c = a.mul(b); // 6
const d = c.add(1.0); // 7
const loss = d.pow(2); // 49
loss.backward(); // a.grad = 42, b.grad = 28

console.log(`loss = ${loss.data}, ∂loss/∂a = ${a.grad}, ∂loss/∂b = ${b.grad}`);
