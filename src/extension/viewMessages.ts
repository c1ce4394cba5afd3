import type { ViewMessage } from "../protocol/panel";
import type { CodeGraphLink } from "./codeGraphLink";
import type { GraphExport } from "./graphExport";
import type { ModelController } from "./modelController";
import type { OutputLog } from "./outputLog";
import type { RunControls } from "./runControls";

export interface ViewMessageHandlers {
  controller: ModelController;
  controls: RunControls;
  codeGraph: CodeGraphLink;
  graphExport: GraphExport;
  log: OutputLog;
}

/** Where each message from the panel goes: run controls to the one dispatcher, like every other surface. */
export function handleViewMessage(message: ViewMessage, h: ViewMessageHandlers): void {
  switch (message.type) {
    case "view/ready":
      return; // the panel answers `ready` itself with the full state
    case "control/run":
      void h.controls.perform("run", { origin: "panel" });
      return;
    case "control/pause":
      void h.controls.perform("pause", { origin: "panel" });
      return;
    case "control/step":
      void h.controls.perform("step", { origin: "panel" });
      return;
    case "control/runN":
      void h.controls.perform("runN", { origin: "panel", n: message.n });
      return;
    case "control/stop":
      void h.controls.perform("stop", { origin: "panel" });
      return;
    case "control/restart":
      void h.controls.perform("restart", { origin: "panel" });
      return;
    case "node/reveal":
      // A click keeps focus in the panel (its one-key shortcuts keep working); Enter moves it to the code.
      void h.codeGraph.revealNode(message.node, { focusEditor: message.focusEditor === true });
      return;
    case "export/fromHost":
      void h.graphExport.run(message.format);
      return;
    case "view/subscribe":
      return h.controller.setViewSubscription({ hash: message.hash, expanded: message.expanded, nodes: Int32Array.from(message.nodes) });
    case "view/ack":
      return h.controller.viewAck();
    case "history/show":
      return h.controller.showHistoryStep(message.step);
    case "export/save":
      void h.graphExport.saveFromPanel(message.format, message.data, message.suggestedName);
      return;
    case "view/log":
      h.log.info(`panel ${message.level}: ${message.message}`);
      return;
  }
}
