import type cytoscape from "cytoscape";
import { groupId, valueId } from "./graphElements";
import type { VisibleGraph } from "./visibleGraph";

/**
 * Plays the backward pass: every record starts unlit, then gradients light up
 * from the loss to the leaves in reverse topological (creation) order.
 */
/**
 * What is still unlit, for records cytoscape does not hold yet (a big drawing is virtual: graphView.ts): FillLayer
 * draws them unlit, and they are added with the class. Kept in cytoscape's scratch (UNLIT), with a `gradscope:lit`
 * event each frame the animation moves on.
 */
export const UNLIT = "gradscope-unlit";
export interface UnlitState { order: Map<string, number>; lit: number }

/** Whether the animation (its state read from cytoscape's scratch, if running) has not lit this record yet. */
export function isUnlit(state: UnlitState | undefined, id: string): boolean {
  return state !== undefined && (state.order.get(id) ?? -1) >= state.lit;
}

export class BackwardAnimation {
  private frame = 0;

  constructor(private readonly cy: cytoscape.Core) {}

  get running(): boolean { return this.frame !== 0; }

  play(vg: VisibleGraph, durationMs = 2500): void {
    this.stop();
    // Units are in creation order (groups at their first member), so reversed they follow backward().
    const ids = vg.units.map((u) => (u.kind === "group" ? groupId(u.group) : valueId(u.node))).reverse();
    this.cy.batch(() => this.cy.nodes(".value, .group").addClass("unlit"));
    const state: UnlitState = { order: new Map(ids.map((id, k) => [id, k])), lit: 0 };
    this.cy.scratch(UNLIT, state);
    const start = performance.now();
    let lit = 0;
    const tick = (now: number) => {
      const upTo = Math.min(ids.length, Math.ceil(((now - start) / durationMs) * ids.length));
      this.cy.batch(() => { for (; lit < upTo; lit++) this.cy.getElementById(ids[lit]).removeClass("unlit"); });
      state.lit = lit;
      this.cy.emit("gradscope:lit");
      this.frame = lit < ids.length ? requestAnimationFrame(tick) : 0;
      if (!this.frame) this.cy.removeScratch(UNLIT);
    };
    this.frame = requestAnimationFrame(tick);
  }

  stop(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    if (this.cy.scratch(UNLIT)) { this.cy.removeScratch(UNLIT); this.cy.emit("gradscope:lit"); }
    this.cy.batch(() => this.cy.nodes(".unlit").removeClass("unlit"));
  }
}
