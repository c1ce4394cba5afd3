import { parseInsightViewMessage, type InsightViewMessage } from "../../src/protocol/insightPanel";
import { parseViewMessage, type ViewMessage } from "../../src/protocol/panel";
import { encodeNonFinite } from "../../src/protocol/wire";

/** The slice of the webview API we use; `acquireVsCodeApi` may be called only once per page. */
interface VsCodeApi {
  postMessage(msg: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export interface HostChannel {
  post(msg: ViewMessage): void;
  /** An `insight/*` request (src/protocol/insightPanel.ts), validated like the rest. */
  postInsight(msg: InsightViewMessage): void;
  log(level: "info" | "warn" | "error", message: string): void;
  getState(): unknown;
  setState(state: unknown): void;
}

export function connectToHost(): HostChannel {
  const api = acquireVsCodeApi();
  const post = (msg: ViewMessage) => {
    // Validate our own output too: a bug here should show up in the log, not as a confused host.
    const v = parseViewMessage(msg);
    if (!v.ok) { api.postMessage({ type: "view/log", level: "error", message: `view produced ${v.error}` }); return; }
    api.postMessage(encodeNonFinite(msg));
  };
  return {
    post,
    postInsight: (msg) => { const v = parseInsightViewMessage(msg); if (v.ok) api.postMessage(encodeNonFinite(msg)); else post({ type: "view/log", level: "error", message: `view produced ${v.error}` }); },
    log: (level, message) => post({ type: "view/log", level, message }),
    getState: () => api.getState(),
    setState: (s) => api.setState(s),
  };
}
