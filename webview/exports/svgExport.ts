import type cytoscape from "cytoscape";
import { rgbText, type ThemeColours } from "../panel/theme";

/**
 * The visible graph as a standalone SVG, drawn from the elements' model
 * positions (cytoscape itself only renders to canvas). Records become rounded
 * rects with their three text lines, op nodes circles, edges lines.
 */
export function graphToSvg(cy: cytoscape.Core, theme: ThemeColours): string {
  const bb = cy.elements().boundingBox({ includeLabels: true });
  const pad = 20;
  const w = Math.ceil(bb.w + 2 * pad), hgt = Math.ceil(bb.h + 2 * pad);
  const ox = -bb.x1 + pad, oy = -bb.y1 + pad;
  const fg = rgbText(theme.foreground);
  const parts: string[] = [];
  parts.push(`<?xml version="1.0" encoding="UTF-8"?>`);
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${hgt}" viewBox="0 0 ${w} ${hgt}" font-family="${esc(theme.monoFamily)}" font-size="11">`);
  parts.push(`<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${fg}"/></marker></defs>`);
  parts.push(`<rect width="100%" height="100%" fill="${rgbText(theme.background)}"/>`);
  cy.edges().forEach((e) => {
    const s = e.sourceEndpoint(), t = e.targetEndpoint();
    parts.push(`<line x1="${r(s.x + ox)}" y1="${r(s.y + oy)}" x2="${r(t.x + ox)}" y2="${r(t.y + oy)}" stroke="${e.style("line-color")}" stroke-width="1.2" marker-end="url(#arrow)"/>`);
  });
  cy.nodes().forEach((n) => {
    const p = n.position(), nw = n.width(), nh = n.height();
    const x = p.x + ox, y = p.y + oy;
    const fill = n.style("background-color"), stroke = n.style("border-color"), sw = n.style("border-width");
    const id = esc(n.id());
    if (n.hasClass("op")) {
      parts.push(`<g id="${id}" class="op"><ellipse cx="${r(x)}" cy="${r(y)}" rx="${r(nw / 2)}" ry="${r(nh / 2)}" fill="${fill}" stroke="${stroke}" stroke-width="${sw}"/>`);
    } else {
      parts.push(`<g id="${id}" class="${esc(n.classes().join(" "))}"><rect x="${r(x - nw / 2)}" y="${r(y - nh / 2)}" width="${r(nw)}" height="${r(nh)}" rx="6" fill="${fill}" stroke="${stroke}" stroke-width="${sw}"/>`);
    }
    const lines = String(n.data("label") ?? "").split("\n");
    const lh = 14, y0 = y - ((lines.length - 1) * lh) / 2;
    lines.forEach((line, i) => parts.push(`<text x="${r(x)}" y="${r(y0 + i * lh)}" text-anchor="middle" dominant-baseline="central" fill="${fg}">${esc(line)}</text>`));
    parts.push(`</g>`);
  });
  parts.push(`</svg>`);
  return parts.join("\n");
}

const r = (v: number) => Math.round(v * 10) / 10;
function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
