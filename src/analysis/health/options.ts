import type { HealthOptions } from "../../protocol/health";

/**
 * The detectors' thresholds, one place. Why these numbers:
 *  - 0.97: Karpathy's "activations and gradients" lecture counts tanh outputs
 *    with |t| > 0.97 as saturated (1 − t² < 0.06: the gradient through them is
 *    cut by 17× or more). A sigmoid s counts when |2s − 1| > 0.97.
 *  - 25%: a well-initialised tanh layer has a few % saturated; with weights
 *    ×10 (examples/saturation.ts) most of it is.
 *  - 3 decades across depth / 2 over time: a healthy MLP's layers stay within
 *    ~10× of each other and of their own recent steps; 1000× and 100× are far
 *    outside that and far inside float range.
 */
export const DEFAULT_HEALTH: Required<HealthOptions> = {
  deadReluSteps: 10,
  saturationLevel: 0.97,
  saturationShare: 0.25,
  depthDecades: 3,
  historyDecades: 2,
  historySteps: 10,
  noGradSteps: 2,
  growingSteps: 3,
};

export function healthOptions(o: HealthOptions | undefined): Required<HealthOptions> {
  return { ...DEFAULT_HEALTH, ...(o ?? {}) };
}

/** Findings of one kind reported per run, at most: a model that makes a new module every step must not flood the host. */
export const MAX_FINDINGS_PER_KIND = 50;
