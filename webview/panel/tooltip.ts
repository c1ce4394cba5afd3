/** Places the hover card below the node when there is room, else above it, so the node itself stays visible. */
export function placeTooltip(tip: HTMLElement, within: HTMLElement, node: { x1: number; y1: number; x2: number; y2: number }): void {
  const box = within.getBoundingClientRect();
  tip.hidden = false;
  const w = tip.offsetWidth, ht = tip.offsetHeight;
  const left = Math.max(8, Math.min(Math.max(8, node.x1), box.width - w - 8));
  const top = node.y2 + 10 + ht <= box.height ? node.y2 + 10 : Math.max(8, node.y1 - 10 - ht);
  tip.style.left = `${left}px`;
  tip.style.top = `${top}px`;
}
