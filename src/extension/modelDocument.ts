import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";

/**
 * The one place that maps between the runner's file paths and the editor's document URIs.
 *
 * The runner only knows paths: a saved model runs from its own path, an untitled one from a
 * made-up path in the temp folder (it resolves nothing relative to it). The editor only knows
 * URIs (`file:`, `untitled:`, …). Every lookup — hovers, inline values, diagnostics, node
 * reveal, cursor ↔ node links, CodeLens — goes through this, keyed by the document URI.
 */
export class ModelDocument {
  /** The runner's path for the model's entry file. */
  readonly runnerPath: string;

  constructor(readonly uri: vscode.Uri) {
    this.runnerPath = runnerPathFor(uri);
  }

  /** What the user calls the model: its path for a saved file, else the editor's title ("Untitled-1"). */
  get displayName(): string {
    return this.uri.scheme === "file" ? this.uri.fsPath : path.basename(this.uri.path) || this.uri.toString();
  }

  /** The document a runner location's file names (absolute, or relative to the model's folder). */
  uriOf(locationFile: string): vscode.Uri {
    const absolute = path.resolve(path.dirname(this.runnerPath), locationFile);
    return samePath(absolute, this.runnerPath) ? this.uri : vscode.Uri.file(absolute);
  }

  /** Whether a runner location's file is this document. */
  locationIn(locationFile: string, document: vscode.Uri): boolean {
    return this.uriOf(locationFile).toString() === document.toString();
  }

  /** The runner path of a document of this run (the model, or a file beside it), or undefined for another scheme. */
  runnerPathOf(document: vscode.Uri): string | undefined {
    if (document.toString() === this.uri.toString()) return this.runnerPath;
    return document.scheme === "file" ? document.fsPath : undefined;
  }

  /** A path as the user knows it: the model's display name instead of its runner path. */
  displayPath(locationFile: string): string {
    const uri = this.uriOf(locationFile);
    return uri.toString() === this.uri.toString() ? this.displayName : uri.fsPath;
  }

  is(document: vscode.Uri | undefined): boolean {
    return document?.toString() === this.uri.toString();
  }
}

/** Where the runner should pretend a non-file model (an untitled editor) lives. */
function runnerPathFor(uri: vscode.Uri): string {
  if (uri.scheme === "file") return uri.fsPath;
  const name = path.basename(uri.path || "untitled").replace(/[^\w.-]/g, "_");
  return path.join(os.tmpdir(), "gradscope-untitled", name.endsWith(".ts") ? name : `${name}.ts`);
}

function samePath(a: string, b: string): boolean {
  return path.normalize(a) === path.normalize(b);
}
