// The benchmark's own databases: uniquely named on the shared PostgreSQL and dropped afterwards,
// or in-memory PGlite; each gets the migrations and one organization with the demo queries.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { demoQueries } from "../../src/modules/demo/listeningDemo.js";
import { listeningQuery } from "../../src/modules/listening/schema.js";
import { createOrganization } from "../../src/modules/organizations/organizationCreator.js";
import { createUser } from "../../src/modules/organizations/userCreator.js";
import type { OrgContext } from "../../src/platform/auth/context.js";
import { type Database, openDatabase } from "../../src/platform/db/client.js";
import { runMigrations } from "../../src/platform/db/migrate.js";

export const adminUrl =
  process.env.KONVERSA_BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export interface BenchDatabase {
  name: string;
  url: string;
  database: Database;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A fresh, migrated PostgreSQL database `konversa_bench_<label>_<random>`. */
export async function createPostgresDatabase(label: string, poolSize = 10): Promise<BenchDatabase> {
  const name = `konversa_bench_${label}_${randomBytes(4).toString("hex")}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString(), poolSize });
  await runMigrations(database);
  let dropped = false;
  return {
    name,
    url: url.toString(),
    database,
    async drop() {
      if (dropped) return;
      dropped = true;
      await database.close().catch(() => {});
      await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

/** A fresh, migrated in-memory PGlite database. */
export async function createPgliteDatabase(): Promise<Database> {
  const database = await openDatabase({});
  await runMigrations(database);
  return database;
}

export interface BenchOrganization {
  ctx: OrgContext;
  /** The demo queries' ids by name. */
  queryIds: Map<string, string>;
}

/** One organization with an owner and the demo's listening queries (brand, competitor, campaign). */
export async function createBenchOrganization(
  database: Database,
  extraQueries: Array<{
    name: string;
    kind: "brand" | "competitor" | "campaign" | "topic";
    expression: string;
  }> = [],
): Promise<BenchOrganization> {
  const db = database.db;
  const owner = await createUser(db, {
    email: `bench-${randomBytes(4).toString("hex")}@example.test`,
    name: "Benchmark",
    password: "benchmark-password",
  });
  const org = await createOrganization(db, { name: "Nordbahn Benchmark", ownerUserId: owner.id });
  const rows = await db
    .insert(listeningQuery)
    .values(
      [...demoQueries, ...extraQueries].map((q) => ({
        organizationId: org.id,
        name: q.name,
        kind: q.kind,
        expression: q.expression,
      })),
    )
    .returning({ id: listeningQuery.id, name: listeningQuery.name });
  return {
    ctx: { organizationId: org.id, userId: owner.id, memberId: "", role: "owner", departmentIds: [] },
    queryIds: new Map(rows.map((r) => [r.name, r.id])),
  };
}
