import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import type { TestCase } from "./harness";

/** Issue 7: activation (for every TypeScript file) must not load the runner's compiler. Runs first, before any model. */
export function activationTests(): TestCase[] {
  return [
    {
      name: "activation loads neither typescript nor esbuild: the runner loads on first use",
      fn: () => {
        const extensionPath = vscode.extensions.getExtension("gradscope.gradscope")!.extensionPath;
        assert.ok(vscode.extensions.getExtension("gradscope.gradscope")!.isActive, "the extension should be active");
        // The extension host shares one module cache: anything our bundle required is in it.
        const ours = Object.keys(require.cache).filter((k) => k.startsWith(extensionPath));
        assert.ok(ours.some((k) => k.endsWith("extension.js")), `dist/extension.js is not in the module cache: ${ours.join(", ")}`);
        const heavy = ours.filter((k) => /node_modules[\\/](typescript|esbuild)[\\/]/.test(k));
        assert.deepEqual(heavy, [], "loaded at activation");
      },
    },
  ];
}
