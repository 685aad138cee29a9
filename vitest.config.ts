import { defineConfig } from "vitest/config";

const storageTests = ["src/**/*.db.test.ts", "test/**/*.db.test.ts"];
const withPostgres = Boolean(process.env.KONVERSA_TEST_DATABASE_URL);
if (!withPostgres) {
  console.log(
    "KONVERSA_TEST_DATABASE_URL is not set: storage tests run on PGlite only (CI runs them on PostgreSQL too).",
  );
}

/*
 * Every test runs in project "pglite"; the storage tests (*.db.test.ts) run a second time in
 * project "postgres" against the real server, so the output names the backend of each run.
 */
export default defineConfig({
  test: {
    // Generous: the CLI tests start whole processes, and CI machines are small and sometimes shared.
    testTimeout: 90_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true as const,
        test: {
          name: "pglite",
          include: ["src/**/*.test.ts", "test/**/*.test.ts"],
          exclude: ["test/e2e/**"],
          env: { KONVERSA_TEST_BACKEND: "pglite" },
        },
      },
      ...(withPostgres
        ? ([
            {
              extends: true as const,
              test: {
                name: "postgres",
                include: storageTests,
                env: { KONVERSA_TEST_BACKEND: "postgres" },
              },
            },
          ] as const)
        : []),
      {
        extends: true as const,
        test: {
          name: "browser",
          include: ["test/e2e/**/*.test.ts"],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
