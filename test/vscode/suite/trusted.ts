import { activationTests } from "./activation";
import { basicTests } from "./basics";
import { suiteContext } from "./context";
import { controlTests } from "./controls";
import { gradscope, runTests } from "./harness";
import { insightTests } from "./insight";
import { panelTests } from "./panel";
import { settingsTests } from "./settings";
import { untitledTests } from "./untitled";
import { warningTests } from "./warnings";

/** Extension-host suites in a trusted workspace holding examples/*.ts and test/vscode/fixtures/*.ts. */
export async function run(): Promise<void> {
  const context = suiteContext(await gradscope());
  await runTests("Gradscope in VS Code (trusted workspace)", [
    // First: nothing has run yet.
    ...activationTests(),
    ...basicTests(context),
    ...controlTests(context),
    ...untitledTests(context),
    ...panelTests(context),
    ...warningTests(context),
    ...settingsTests(context),
    ...insightTests(context),
  ]);
}
