import { z } from "zod";

/** The life of a run, as the status bar and the panel show it. */
export const RunStateSchema = z.enum(["idle", "compiling", "running", "paused", "finished", "stopped", "error"]);
export type RunState = z.infer<typeof RunStateSchema>;

/** A model failure, located in the user's TypeScript (1-based) when we know where. */
export const ModelErrorSchema = z.object({
  kind: z.enum(["compile", "runtime", "limit", "timeout"]),
  message: z.string(),
  file: z.string().optional(),
  line: z.number().int().min(1).optional(),
  column: z.number().int().min(1).optional(),
  /** Source-mapped stack, user frames only. */
  stack: z.string().optional(),
});
export type ModelError = z.infer<typeof ModelErrorSchema>;

/** Why a run ended (the CLI's `end` event uses the same words). */
export const EndReasonSchema = z.enum(["finished", "max-steps", "error", "timeout", "stopped"]);
export type EndReason = z.infer<typeof EndReasonSchema>;
