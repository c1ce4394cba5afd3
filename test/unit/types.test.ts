import * as path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

// What the editor's TypeScript sees through our tsserver plugin: "gradscope" → dist/gradscope.d.ts (built by `npm run build`).
function diagnostics(files: string[]): string[] {
  const program = ts.createProgram(files, {
    strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler, types: [], lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
    baseUrl: ".", paths: { gradscope: [path.resolve("dist/gradscope.d.ts")] },
  });
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
}

describe("the gradscope module's declarations", () => {
  it("type-check every example", () => {
    expect(diagnostics(["chain-rule", "coffee-shop", "moons-mlp"].map((e) => path.resolve("examples", `${e}.ts`)))).toEqual([]);
  });
});
