/** The `gradscope` module that user models import. Pure TypeScript: no vscode, no DOM, no node:*. */
export { Value, type Operand } from "./value";
export { Module, Neuron, Layer, MLP, type MLPOptions } from "./nn";
export { SGD, Adam } from "./optim";
export { sum, mse, hinge, softmaxCrossEntropy } from "./losses";
export { Rng, seed } from "./rng";
export { makeMoons } from "./datasets";
export { gradcheck, type GradcheckResult } from "./gradcheck";
export { scope, GradscopeLimitError, StaleValueError } from "./context";
export { breakpoint } from "./breakpoint";
import "./instrument";
