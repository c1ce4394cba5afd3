import { App } from "./panel/app";
import { connectToHost } from "./panel/vscodeApi";

/** Entry point of dist/webview.js: connect to the host, start the panel. */
const host = connectToHost();
try {
  (window as unknown as { gradscope: App }).gradscope = new App(host);
} catch (err) {
  host.log("error", `panel failed to start: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
}
