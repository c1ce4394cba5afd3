import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/unit/**/*.test.ts", "test/browser/**/*.test.ts"],
    // Real processes (esbuild, workers, Chromium) are slow to start on 2 cores; this is a hang guard, not a speed check.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
