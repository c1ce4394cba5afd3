import { z } from "zod";
import { AnyNumber, GraphTopologySchema, GraphValuesSchema, ParamUpdateSchema, SourceLocationSchema } from "./graph";
import type { CompiledModule } from "../runner/compile/compile";
import { ModelErrorSchema } from "./run";

/** What the session hands the model worker at start (workerData). */
export interface WorkerInit {
  /** The model's compiled files; modules[0] is the entry. */
  modules: CompiledModule[];
  entryFile: string;
  locations: z.infer<typeof SourceLocationSchema>[];
  /** The step gate (see runner/control.ts). */
  control: SharedArrayBuffer;
  throttleMs: number;
  maxSteps: number;
  /**
   * Stamped on every message the worker sends. The worker removes it from workerData
   * before user code runs, so a model posting to parentPort itself cannot pass as the runner.
   */
  token: string;
  maxNodesPerStep: number;
}

/** Worker → session. */
export const WorkerMessageSchema = z.discriminatedUnion("type", [
  /** A step's graph: `topology` only when its hash differs from the last one sent. */
  z.object({
    type: z.literal("step/report"),
    step: z.number().int().min(1),
    loss: AnyNumber,
    hash: z.string(),
    topology: GraphTopologySchema.optional(),
    values: GraphValuesSchema,
    updates: z.array(ParamUpdateSchema),
  }),
  /** Losses of steps from, from+1, …: every step's loss exactly once. */
  z.object({ type: z.literal("loss/batch"), from: z.number().int().min(1), losses: z.instanceof(Float64Array) }),
  /** The worker blocked after backward() of this step. */
  z.object({ type: z.literal("run/paused"), step: z.number().int().min(0) }),
  /** The worker was released and runs on. */
  z.object({ type: z.literal("run/resumed"), step: z.number().int().min(0) }),
  /** The model's console output. */
  z.object({ type: z.literal("console/output"), level: z.enum(["log", "info", "warn", "error", "debug"]), text: z.string() }),
  /** A likely mistake in the model (e.g. gradients not zeroed). */
  z.object({ type: z.literal("model/warning"), message: z.string(), loc: SourceLocationSchema.optional() }),
  /** The model finished, or reached the step limit. */
  z.object({ type: z.literal("run/end"), reason: z.enum(["finished", "max-steps"]), steps: z.number().int().min(0) }),
  /** The model threw, or broke a limit. */
  z.object({ type: z.literal("run/error"), error: ModelErrorSchema, steps: z.number().int().min(0) }),
]);
export type WorkerMessage = z.infer<typeof WorkerMessageSchema>;
