// The .vsix test (test/package/vsix.test.mjs): packages the extension once, then inspects the file.
// Run by scripts/test.sh: npx vitest run --config test/package/vitest.config.mjs
import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", ".."),
  test: {
    include: ["test/package/**/*.test.mjs"],
    // Packaging runs a production build and vsce on 2 shared cores: a hang guard, not a speed check.
    testTimeout: 120_000,
    hookTimeout: 600_000,
  },
});
