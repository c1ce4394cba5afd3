import type cytoscape from "cytoscape";
import { groupId, valueId } from "./graphElements";
import type { VisibleGraph } from "./visibleGraph";

/**
 * Plays the backward pass: every record starts unlit, then gradients light up
 * from the loss to the leaves in reverse topological (creation) order.
 */
export class BackwardAnimation {
  private frame = 0;

  constructor(private readonly cy: cytoscape.Core) {}

  get running(): boolean { return this.frame !== 0; }

  play(vg: VisibleGraph, durationMs = 2500): void {
    this.stop();
    // Units are in creation order (groups at their first member), so reversed they follow backward().
    const ids = vg.units.map((u) => (u.kind === "group" ? groupId(u.group) : valueId(u.node))).reverse();
    this.cy.batch(() => this.cy.nodes(".value, .group").addClass("unlit"));
    const start = performance.now();
    let lit = 0;
    const tick = (now: number) => {
      const upTo = Math.min(ids.length, Math.ceil(((now - start) / durationMs) * ids.length));
      this.cy.batch(() => { for (; lit < upTo; lit++) this.cy.getElementById(ids[lit]).removeClass("unlit"); });
      this.frame = lit < ids.length ? requestAnimationFrame(tick) : 0;
    };
    this.frame = requestAnimationFrame(tick);
  }

  stop(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.cy.batch(() => this.cy.nodes(".unlit").removeClass("unlit"));
  }
}
