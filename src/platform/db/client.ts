import { mkdirSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import type { SQL } from "drizzle-orm";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import pg from "pg";
import { StartupError } from "../errors.js";

/**
 * The one database handle every module uses. Modules never learn whether PGlite (embedded) or
 * PostgreSQL (scaled out) is behind it: both speak the same SQL and run the same migrations.
 */
export type Db = PgDatabase<PgQueryResultHKT, Record<string, never>>;
/** A transaction handle has the same query API as the database handle. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
export type DbOrTx = Db | Tx;

export interface Database {
  db: Db;
  kind: "pglite" | "postgres";
  /** Runs plain SQL outside Drizzle (migrations, advisory locks, COPY in benchmarks). */
  exec(sql: string): Promise<void>;
  /**
   * Holds a Postgres advisory lock on one connection while `work` runs on that same connection;
   * processes that start together queue here.
   */
  withAdvisoryLock<T>(key: number, work: (session: SqlSession) => Promise<T>): Promise<T>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Plain SQL on one connection (no parameters: for migrations and maintenance only). */
export interface SqlSession {
  query<Row = Record<string, unknown>>(sql: string): Promise<Row[]>;
}

export interface OpenDatabaseProps {
  /** postgres:// URL; without it the embedded PGlite database is used. */
  url?: string;
  /** Folder of the embedded database (`<dataDir>/data`); omitted: in memory. */
  dataDir?: string;
  poolSize?: number;
}

export async function openDatabase(props: OpenDatabaseProps): Promise<Database> {
  return props.url ? openPostgres(props.url, props.poolSize ?? 10) : openPglite(props.dataDir);
}

async function openPostgres(url: string, poolSize: number): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 5000 });
  pool.on("error", () => {
    // An idle client lost its connection; the pool replaces it. Requests see their own errors.
  });
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => {});
    throw new StartupError(`Cannot reach the database at ${redactUrl(url)}: ${describePgError(error)}.`);
  }
  const db = drizzlePg(pool) as unknown as Db;
  return {
    db,
    kind: "postgres",
    exec: async (sql) => {
      await pool.query(sql);
    },
    withAdvisoryLock: async (key, work) => {
      const client = await pool.connect();
      try {
        await client.query("SELECT pg_advisory_lock($1)", [key]);
        try {
          return await work({ query: async (sql) => (await client.query(sql)).rows });
        } finally {
          await client.query("SELECT pg_advisory_unlock($1)", [key]);
        }
      } finally {
        client.release();
      }
    },
    ping: async () => {
      await pool.query("SELECT 1");
    },
    close: () => pool.end(),
  };
}

async function openPglite(dataDir?: string): Promise<Database> {
  let client: PGlite;
  try {
    if (dataDir) {
      const folder = path.join(dataDir, "data");
      mkdirSync(folder, { recursive: true });
      client = await PGlite.create(folder);
    } else {
      client = await PGlite.create();
    }
  } catch (error) {
    throw new StartupError(
      `Cannot open the embedded database in ${dataDir ?? "memory"}: ${(error as Error).message}. Is another Konversa process using this data folder?`,
    );
  }
  const db = drizzlePglite(client) as unknown as Db;
  return {
    db,
    kind: "pglite",
    exec: async (sql) => {
      await client.exec(sql);
    },
    // PGlite serves one process, so there is nobody to lock out.
    withAdvisoryLock: (_key, work) =>
      work({
        query: async <Row>(sql: string) => {
          const results = await client.exec(sql);
          return (results.at(-1)?.rows ?? []) as Row[];
        },
      }),
    ping: async () => {
      await client.query("SELECT 1");
    },
    close: () => client.close(),
  };
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparsable URL)";
  }
}

function describePgError(error: unknown): string {
  const e = error as { code?: string; message?: string; errors?: Array<{ message: string }> };
  if (e.code === "ECONNREFUSED" || e.errors?.some((x) => x.message.includes("ECONNREFUSED")))
    return "connection refused";
  if (e.code === "3D000") return e.message ?? "database does not exist";
  if (e.code === "ENOTFOUND") return "host not found";
  return e.message || e.code || "unknown error";
}

/** Rows of a raw SQL query; both drivers answer `{ rows }`. */
export async function sqlRows<Row>(db: DbOrTx, query: SQL): Promise<Row[]> {
  const result = (await db.execute(query)) as unknown as { rows: Row[] };
  return result.rows;
}
