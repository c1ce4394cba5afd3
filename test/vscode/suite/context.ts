import * as vscode from "vscode";
import type { GradscopeApi } from "../../../src/extension/extension";
import type { ModelStatus } from "../../../src/extension/modelController";
import { openInFirstColumn, waitFor } from "./harness";

/** What every trusted-suite test module uses: the API and small probes of the run's state. */
export interface SuiteContext {
  api: GradscopeApi;
  stateIs(...states: string[]): () => ModelStatus | false;
  /** Paused (or finished) at a step ≥ 1: the graph has arrived or is about to. */
  atFirstBackward(): ModelStatus | false;
  nodeLabelled(label: string): { index: number; data: number; grad: number } | undefined;
  /** Each test can run alone (GRADSCOPE_TEST_GREP): make sure chain-rule.ts's graph is the one shown. */
  showChainRule(): Promise<vscode.TextEditor>;
  /** chain-rule.ts run to its end (it finishes after its one backward()). */
  finishChainRule(): Promise<vscode.TextEditor>;
}

export function suiteContext(api: GradscopeApi): SuiteContext {
  const { controller } = api;
  const stateIs = (...states: string[]) => () => states.includes(controller.currentStatus.state) && controller.currentStatus;
  // The session reports "paused" as soon as the worker starts; the first graph arrives at backward().
  const atFirstBackward = () => ["paused", "finished"].includes(controller.currentStatus.state) && controller.currentStatus.step >= 1 && controller.currentStatus;
  const nodeLabelled = (label: string) => {
    const s = controller.snapshot;
    const i = s ? s.topology.label.indexOf(label) : -1;
    return s && i >= 0 ? { index: i, data: s.values.data[i], grad: s.values.grad[i] } : undefined;
  };
  const showChainRule = async () => {
    const editor = await openInFirstColumn("chain-rule.ts");
    if (controller.currentStatus.file !== editor.document.uri.fsPath || controller.currentStatus.loss !== 49 || !nodeLabelled("c")) {
      await vscode.commands.executeCommand("gradscope.visualize");
      await waitFor("chain-rule's graph", () => controller.currentStatus.loss === 49 && nodeLabelled("c"));
    }
    return editor;
  };
  const finishChainRule = async () => {
    const editor = await openInFirstColumn("chain-rule.ts");
    await vscode.commands.executeCommand("gradscope.visualize", editor.document.uri);
    await waitFor("chain-rule paused at its backward()", () => controller.currentStatus.state === "paused" && controller.currentStatus.step === 1 && nodeLabelled("c"));
    await vscode.commands.executeCommand("gradscope.step");
    await waitFor("chain-rule to finish", stateIs("finished"));
    return editor;
  };
  return { api, stateIs, atFirstBackward, nodeLabelled, showChainRule, finishChainRule };
}
