import type * as vscode from "vscode";

/** Base for anything that owns resources: every listener, panel or provider goes through `register` so one `dispose()` frees it all. */
export abstract class Disposable implements vscode.Disposable {
  private readonly owned: vscode.Disposable[] = [];
  private disposed = false;

  protected get isDisposed(): boolean {
    return this.disposed;
  }

  protected register<T extends vscode.Disposable>(resource: T): T {
    if (this.disposed) resource.dispose();
    else this.owned.push(resource);
    return resource;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    // Reverse order: things registered later may depend on earlier ones.
    for (const resource of this.owned.splice(0).reverse()) {
      try {
        resource.dispose();
      } catch {
        // One failing dispose must not leak the rest.
      }
    }
  }
}
