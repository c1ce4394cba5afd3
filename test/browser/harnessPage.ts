import { snapshotFromJSON, type SnapshotJSON } from "../../src/graph/snapshotJson";

/**
 * Runs in the harness page before dist/webview.js: the stand-in for VS Code's
 * `acquireVsCodeApi` (records what the panel posts) and helpers tests call
 * through page.evaluate. Messages reach the panel with window.postMessage, as in VS Code.
 */
interface Harness {
  posted: unknown[];
  state: unknown;
  send(msg: unknown): void;
  /** graph/set (or step/update) built from a SnapshotJSON with the real converter. */
  sendSnapshot(json: SnapshotJSON, type?: "graph/set" | "step/update"): void;
  /** Sends a snapshot and resolves after the panel handled it and two frames were drawn: ms to first paint. */
  timeSnapshot(json: SnapshotJSON, type?: "graph/set" | "step/update"): Promise<number>;
  /** Hands a snapshot straight to the panel's handler: ms of synchronous work, then ms until the next frame is drawn. */
  timeHandler?(json: SnapshotJSON, type?: "graph/set" | "step/update"): Promise<{ handler: number; frame: number }>;
  /**
   * Hands any host message to the panel's handler and times it: ms of synchronous work,
   * ms until the next frame was painted (a task queued from that frame's rAF runs after its paint),
   * and the longest main-thread task meanwhile (what input would have waited for).
   */
  timeMessage?(msg: unknown): Promise<{ handler: number; painted: number; longestTask: number }>;
}

const params = new URLSearchParams(location.search);
document.body.className = `vscode-${params.get("theme") ?? "dark"}`;
const savedState = params.get("state");

function toMessage(json: SnapshotJSON, type: "graph/set" | "step/update") {
  const s = snapshotFromJSON(json);
  return type === "graph/set"
    ? { type, step: s.step, loss: s.loss, topology: s.topology, values: s.values, updates: s.updates }
    : { type, step: s.step, loss: s.loss, values: s.values, updates: s.updates };
}

const frame = () => new Promise<void>((r) => requestAnimationFrame(() => r()));

const harness: Harness = {
  posted: [],
  state: savedState ? JSON.parse(savedState) : undefined,
  send: (msg) => window.postMessage(msg, "*"),
  sendSnapshot: (json, type = "graph/set") => window.postMessage(toMessage(json, type), "*"),
  timeSnapshot(json, type = "graph/set") {
    const msg = toMessage(json, type);
    return new Promise((resolve) => {
      const t0 = performance.now();
      // Listeners run in registration order, so this one runs after the panel's handler.
      const done = async () => {
        window.removeEventListener("message", done);
        await frame();
        await frame();
        resolve(performance.now() - t0);
      };
      window.addEventListener("message", done);
      window.postMessage(msg, "*");
    });
  },
};

harness.timeHandler = async (json, type = "step/update") => {
  const msg = toMessage(json, type);
  const app = (window as unknown as { gradscope: { receive(m: unknown): void } }).gradscope;
  const t0 = performance.now();
  app.receive(msg);
  const t1 = performance.now();
  await frame();
  return { handler: t1 - t0, frame: performance.now() - t0 };
};

harness.timeMessage = async (msg) => {
  const app = (window as unknown as { gradscope: { receive(m: unknown): void } }).gradscope;
  let longestTask = 0;
  const obs = new PerformanceObserver((list) => { for (const e of list.getEntries()) longestTask = Math.max(longestTask, e.duration); });
  obs.observe({ type: "longtask", buffered: false });
  const t0 = performance.now();
  app.receive(msg);
  const t1 = performance.now();
  await new Promise<void>((resolve) => requestAnimationFrame(() => { const ch = new MessageChannel(); ch.port1.onmessage = () => resolve(); ch.port2.postMessage(0); }));
  const painted = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 50));
  obs.disconnect();
  return { handler: t1 - t0, painted, longestTask: Math.max(longestTask, t1 - t0) };
};

/** The message a snapshot becomes, for timeMessage. */
(harness as Harness & { toMessage: typeof toMessage }).toMessage = toMessage;

(window as unknown as { harness: Harness }).harness = harness;
(window as unknown as { acquireVsCodeApi: () => unknown }).acquireVsCodeApi = () => ({
  postMessage: (m: unknown) => harness.posted.push(m),
  getState: () => harness.state,
  setState: (s: unknown) => { harness.state = s; },
});
