import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import { type Database, sqlRows } from "./client.js";

/** Key of the advisory lock that serialises migrations between processes starting together. */
const MIGRATION_LOCK_KEY = 4_711_2026;

interface JournalEntry {
  idx: number;
  tag: string;
}

/** The drizzle-kit migrations folder, found from source (`src/…`) and from the build (`dist/…`). */
export function migrationsFolder(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const candidate of [
    path.resolve(here, "../../../drizzle"),
    path.resolve(here, "../../../../drizzle"),
  ]) {
    if (existsSync(path.join(candidate, "meta", "_journal.json"))) return candidate;
  }
  throw new Error("The migrations folder drizzle/ was not found next to the program.");
}

/**
 * Applies the drizzle-kit migrations that are not applied yet, each in its own transaction, under
 * an advisory lock. Idempotent: a second run, or a second process, finds nothing left to do.
 */
export async function runMigrations(database: Database): Promise<{ applied: string[] }> {
  const folder = migrationsFolder();
  const journal = JSON.parse(readFileSync(path.join(folder, "meta", "_journal.json"), "utf8")) as {
    entries: JournalEntry[];
  };
  return database.withAdvisoryLock(MIGRATION_LOCK_KEY, async (session) => {
    await session.query(`CREATE TABLE IF NOT EXISTS konversa_migration (
      tag text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set(
      (await session.query<{ tag: string }>("SELECT tag FROM konversa_migration")).map((r) => r.tag),
    );
    const applied: string[] = [];
    for (const entry of journal.entries.toSorted((a, b) => a.idx - b.idx)) {
      if (done.has(entry.tag)) continue;
      const statements = readFileSync(path.join(folder, `${entry.tag}.sql`), "utf8")
        .split("--> statement-breakpoint")
        .map((s) => s.trim())
        .filter(Boolean);
      try {
        await session.query(
          `BEGIN;\n${statements.join("\n")}\nINSERT INTO konversa_migration (tag) VALUES ('${entry.tag}');\nCOMMIT;`,
        );
      } catch (error) {
        await session.query("ROLLBACK").catch(() => {});
        throw new Error(`Migration ${entry.tag} failed: ${(error as Error).message}`);
      }
      applied.push(entry.tag);
    }
    return { applied };
  });
}

/** True when every migration of this build is applied (readiness check). */
export async function migrationsApplied(database: Database): Promise<boolean> {
  const folder = migrationsFolder();
  const journal = JSON.parse(readFileSync(path.join(folder, "meta", "_journal.json"), "utf8")) as {
    entries: JournalEntry[];
  };
  try {
    const rows = await sqlRows<{ tag: string }>(database.db, sql`SELECT tag FROM konversa_migration`);
    const done = new Set(rows.map((r) => r.tag));
    return journal.entries.every((e) => done.has(e.tag));
  } catch {
    return false;
  }
}
