import type * as vscode from "vscode";

const IMPORT_OF_GRADSCOPE = /(?:from\s+|import\s*\(\s*|require\s*\(\s*|import\s+)["']gradscope["']/;

/** Whether a model's text imports the gradscope module (which is what makes it a Gradscope model). */
export function importsGradscope(text: string): boolean {
  return IMPORT_OF_GRADSCOPE.test(text);
}

export function isModelLanguage(document: vscode.TextDocument): boolean {
  return document.languageId === "typescript" || document.languageId === "javascript";
}
