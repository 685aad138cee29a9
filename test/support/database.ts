import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import pg from "pg";
import { type Database, openDatabase, sqlRows } from "../../src/platform/db/client.js";
import { runMigrations } from "../../src/platform/db/migrate.js";

/**
 * Which storage this test run uses. Vitest runs the storage tests (`*.db.test.ts`) once per backend:
 * project "pglite" always, project "postgres" when KONVERSA_TEST_DATABASE_URL is set.
 */
export const testBackend = process.env.KONVERSA_TEST_BACKEND === "postgres" ? "postgres" : "pglite";

export interface TestDatabase extends Database {
  /** postgres:// URL of the uniquely named test database (Postgres backend only). */
  url?: string;
}

/**
 * A fresh, migrated database for one test file: in-memory PGlite, or a uniquely named database on
 * the real PostgreSQL that is dropped on close (CI shares that server with other runs).
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  if (testBackend === "pglite") {
    const database = await openDatabase({});
    await runMigrations(database);
    return database;
  }
  const adminUrl = process.env.KONVERSA_TEST_DATABASE_URL;
  if (!adminUrl) throw new Error("KONVERSA_TEST_DATABASE_URL is not set for the postgres test project.");
  const name = `konversa_test_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString(), poolSize: 5 });
  await runMigrations(database);
  return {
    ...database,
    url: url.toString(),
    close: async () => {
      await database.close();
      const cleanup = new pg.Client({ connectionString: adminUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

/** How many rows a table holds (tests that wait for the pipeline poll this). */
export async function countRows(t: { database: Database }, table: string): Promise<number> {
  if (!/^[a-z_]+$/.test(table)) throw new Error(`not a table name: ${table}`);
  const rows = await sqlRows<{ n: string | number }>(
    t.database.db,
    sql.raw(`SELECT count(*) AS n FROM ${table}`),
  );
  return Number(rows[0]?.n ?? 0);
}
