import type { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { parse } from "csv-parse";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { recordAudit } from "../../platform/audit/audit.js";
import type { OrgContext } from "../../platform/auth/context.js";
import type { Clock } from "../../platform/clock.js";
import { type Db, type DbOrTx, sqlRows } from "../../platform/db/client.js";
import { ConflictError, NotFoundError, ValidationError } from "../../platform/errors.js";
import { contact } from "../contacts/schema.js";
import { type ContactEventProps, enqueueContactEvents } from "./contactEvents.js";
import {
  companiesByName,
  contactLimits,
  emailProblem,
  isAttributeName,
  localeProblem,
  normaliseEmail,
  phoneProblem,
} from "./contactFields.js";
import { crmImport, crmImportChunk, crmImportIssue, type ImportMapping, importFields } from "./schema.js";

type Deps = { db: Db; clock: Clock };

/** Largest file an import takes (it is kept in the database until it has run). */
export const maxImportBytes = 200 * 1024 * 1024;
const chunkChars = 1024 * 1024;
/** Rows per transaction while running: each batch is written, counted and reported at once. */
const batchRows = 1000;
const previewRows = 5;

export type ImportRow = typeof crmImport.$inferSelect;

/**
 * Takes the uploaded CSV file as a stream and keeps it in pieces of about 1 MB, so neither the
 * upload nor the run ever holds the whole file. Answers the job with the file's column names, its
 * first rows and a suggested mapping, for the person to check before anything is stored.
 */
export async function receiveImportUpload(
  deps: Deps,
  ctx: OrgContext,
  props: { file: Readable; fileName: string },
) {
  const fileName = props.fileName.replace(/^.*[\\/]/, "").slice(0, 200) || "contacts.csv";
  const [job] = await deps.db
    .insert(crmImport)
    .values({
      organizationId: ctx.organizationId,
      createdByUserId: ctx.userId,
      fileName,
      createdAt: deps.clock.now(),
    })
    .returning();
  try {
    const decoder = new StringDecoder("utf8");
    let pending = "";
    let seq = 0;
    let bytes = 0;
    const flush = async (text: string) => {
      await deps.db.insert(crmImportChunk).values({ importId: job!.id, seq, data: text });
      seq += 1;
    };
    for await (const piece of props.file) {
      const buffer = typeof piece === "string" ? Buffer.from(piece) : (piece as Buffer);
      bytes += buffer.length;
      if (bytes > maxImportBytes) {
        throw new ValidationError(
          `The file is larger than ${maxImportBytes / 1024 / 1024} MB; split it into several imports.`,
        );
      }
      pending += decoder.write(buffer);
      if (pending.length >= chunkChars) {
        await flush(pending);
        pending = "";
      }
    }
    pending += decoder.end();
    if (pending.length > 0) await flush(pending);
    if (bytes === 0) throw new ValidationError("The file is empty; choose a CSV file with a header row.");
    const delimiter = guessDelimiter(await firstLine(deps.db, job!.id));
    const preview: string[][] = [];
    for await (const { record } of readRecords(deps.db, job!.id, delimiter)) {
      preview.push(record);
      if (preview.length > previewRows) break;
    }
    const headers = (preview.shift() ?? []).map((h) => h.trim());
    checkHeaders(headers);
    const [uploaded] = await deps.db
      .update(crmImport)
      .set({ status: "uploaded", bytes, delimiter, headers })
      .where(eq(crmImport.id, job!.id))
      .returning();
    return { import: uploaded!, preview, suggestedMapping: suggestMapping(headers) };
  } catch (error) {
    await deps.db.delete(crmImport).where(eq(crmImport.id, job!.id));
    throw error;
  }
}

function checkHeaders(headers: string[]) {
  if (headers.length === 0 || headers.every((h) => !h)) {
    throw new ValidationError(
      "The first line must name the columns (a header row such as name,email,phone).",
    );
  }
  const empty = headers.findIndex((h) => !h);
  if (empty >= 0)
    throw new ValidationError(`Column ${empty + 1} of the header row has no name; name every column.`);
  const seen = new Set<string>();
  for (const h of headers) {
    if (seen.has(h.toLowerCase()))
      throw new ValidationError(
        `The column "${h}" appears twice in the header row; column names must be unique.`,
      );
    seen.add(h.toLowerCase());
  }
}

const synonyms: Record<(typeof importFields)[number], string[]> = {
  displayName: [
    "name",
    "displayname",
    "display name",
    "full name",
    "fullname",
    "vollständiger name",
    "kontakt",
    "contact",
  ],
  email: ["email", "e-mail", "mail", "email address", "e-mail-adresse", "emailaddress"],
  phone: [
    "phone",
    "telefon",
    "tel",
    "telephone",
    "mobile",
    "handy",
    "mobil",
    "phone number",
    "telefonnummer",
  ],
  locale: ["locale", "language", "sprache", "lang"],
  tags: ["tags", "labels", "schlagworte", "tag"],
  company: ["company", "firma", "unternehmen", "organisation", "organization", "account"],
};

/** A first guess the person corrects: known column names map to fields, `attr:x` to attribute x. */
export function suggestMapping(headers: string[]): Record<string, string> {
  const mapping: Record<string, string> = {};
  const taken = new Set<string>();
  for (const header of headers) {
    const key = header.trim().toLowerCase();
    const field = importFields.find((f) => !taken.has(f) && synonyms[f].includes(key));
    const attribute = /^(?:attr|attribute):(.+)$/i.exec(header.trim())?.[1];
    if (field) {
      mapping[header] = field;
      taken.add(field);
    } else if (attribute && isAttributeName(attribute)) {
      mapping[header] = `attribute:${attribute}`;
    } else {
      mapping[header] = "ignore";
    }
  }
  return mapping;
}

function guessDelimiter(line: string): string {
  const counts = [",", ";", "\t", "|"].map((d) => ({ d, n: line.split(d).length - 1 }));
  counts.sort((a, b) => b.n - a.n);
  return counts[0]!.n > 0 ? counts[0]!.d : ",";
}

async function firstLine(db: DbOrTx, importId: string) {
  const [first] = await db
    .select({ data: sql<string>`left(${crmImportChunk.data}, 65536)` })
    .from(crmImportChunk)
    .where(and(eq(crmImportChunk.importId, importId), eq(crmImportChunk.seq, 0)));
  return (first?.data ?? "").replace(/^\uFEFF/, "").split(/\r?\n/)[0] ?? "";
}

/** The stored file's records, parsed as they are read back chunk by chunk, with their line numbers. */
async function* readRecords(db: DbOrTx, importId: string, delimiter: string) {
  const parser = parse({
    delimiter,
    bom: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    info: true,
  });
  const feed = (async () => {
    try {
      for (let seq = 0; ; seq += 1) {
        const [chunk] = await db
          .select({ data: crmImportChunk.data })
          .from(crmImportChunk)
          .where(and(eq(crmImportChunk.importId, importId), eq(crmImportChunk.seq, seq)));
        if (!chunk) break;
        if (parser.destroyed) return;
        if (!parser.write(chunk.data)) {
          // A reader that stops early (the preview) destroys the parser: stop waiting then too.
          await new Promise((resolve) => {
            parser.once("drain", resolve);
            parser.once("close", resolve);
          });
        }
      }
      parser.end();
    } catch (error) {
      parser.destroy(error as Error);
    }
  })();
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      yield { record: item.record, line: item.info.lines };
    }
  } finally {
    parser.destroy();
    await feed;
  }
}

export interface RunImportProps {
  importId: string;
  mapping: ImportMapping;
}

/**
 * Checks the mapping against the file's columns and starts the run in the background; the job's
 * counts show the progress. Answers the job as it is when the run starts.
 */
export async function startImport(
  deps: Deps & { onError?: (error: unknown) => void },
  ctx: OrgContext,
  props: RunImportProps,
) {
  const job = await requireImport(deps.db, ctx, props.importId);
  if (job.status !== "uploaded") {
    throw new ConflictError(
      job.status === "running"
        ? "This import is running already."
        : "This import has run already (or its upload expired); upload the file again.",
    );
  }
  checkMapping(job.headers, props.mapping);
  const [started] = await deps.db
    .update(crmImport)
    .set({ status: "running", mapping: props.mapping, startedAt: deps.clock.now() })
    .where(and(eq(crmImport.id, job.id), eq(crmImport.status, "uploaded")))
    .returning();
  if (!started) throw new ConflictError("This import was started by somebody else a moment ago.");
  const running = runImport(deps, ctx, started).catch((error) => deps.onError?.(error));
  return { import: started, done: running };
}

function checkMapping(headers: string[], mapping: ImportMapping) {
  const problems: string[] = [];
  for (const column of Object.keys(mapping.columns)) {
    if (!headers.includes(column)) problems.push(`The file has no column "${column}".`);
  }
  const targets = Object.values(mapping.columns).filter((t) => t !== "ignore");
  for (const target of targets) {
    const attribute = /^attribute:(.+)$/.exec(target)?.[1];
    if (attribute ? !isAttributeName(attribute) : !(importFields as readonly string[]).includes(target)) {
      problems.push(
        `"${target}" is not something a column can fill: use ${importFields.join(", ")}, attribute:<name> or ignore.`,
      );
    }
  }
  const twice = targets.filter((t, i) => targets.indexOf(t) !== i);
  if (twice.length > 0) problems.push(`Two columns fill "${twice[0]}"; map each field from one column only.`);
  if (!targets.includes("displayName")) problems.push("Map one column to the name (displayName).");
  if (problems.length > 0) throw new ValidationError(problems.join(" "));
}

interface Candidate {
  line: number;
  displayName: string;
  email: string | null;
  phone: string | null;
  locale: string | null;
  tags: string[];
  company: string | null;
  attributes: Record<string, string>;
}
type Issue = typeof crmImportIssue.$inferInsert;

/** Reads the file line by line, checks each, writes contacts batch by batch, then deletes the file. */
async function runImport(deps: Deps, ctx: OrgContext, job: ImportRow) {
  const mapping = job.mapping!;
  const columns = job.headers.map((h) => mapping.columns[h] ?? "ignore");
  const seen = new Map<string, number>();
  let candidates: Candidate[] = [];
  let issues: Issue[] = [];
  let rowsRead = 0;
  try {
    let header = true;
    for await (const { record, line } of readRecords(deps.db, job.id, job.delimiter)) {
      if (header) {
        header = false;
        continue;
      }
      rowsRead += 1;
      const checked = checkRecord(record, line, columns, job.headers.length, mapping, seen);
      if ("reason" in checked) issues.push({ importId: job.id, ...checked });
      else candidates.push(checked);
      if (candidates.length + issues.length >= batchRows) {
        await writeBatch(deps, ctx, job, { candidates, issues, rowsRead });
        candidates = [];
        issues = [];
      }
    }
    await writeBatch(deps, ctx, job, { candidates, issues, rowsRead });
    await deps.db.transaction(async (tx) => {
      await tx.delete(crmImportChunk).where(eq(crmImportChunk.importId, job.id));
      const [done] = await tx
        .update(crmImport)
        .set({ status: "completed", finishedAt: deps.clock.now() })
        .where(eq(crmImport.id, job.id))
        .returning();
      await recordAudit(tx, ctx, {
        action: "contacts.imported",
        entityType: "crm_import",
        entityId: job.id,
        details: {
          rows: done!.rowsRead,
          created: done!.created,
          updated: done!.updated,
          skipped: done!.skipped,
          rejected: done!.rejected,
        },
      });
    });
  } catch (error) {
    // What was written stays written; the report says how far the run got.
    await deps.db.delete(crmImportChunk).where(eq(crmImportChunk.importId, job.id));
    await deps.db
      .update(crmImport)
      .set({
        status: "failed",
        error: `Stopped after ${rowsRead} rows: ${String((error as Error).message)
          .split("\n")[0]!
          .slice(0, 300)}`,
        finishedAt: deps.clock.now(),
      })
      .where(eq(crmImport.id, job.id));
    throw error;
  }
}

function checkRecord(
  record: string[],
  line: number,
  columns: string[],
  width: number,
  mapping: ImportMapping,
  seen: Map<string, number>,
): Candidate | Omit<Issue, "importId"> {
  const reject = (reason: string, field?: string, duplicateOfLine?: number) => ({
    line,
    outcome: "rejected" as const,
    reason,
    field: field ?? null,
    duplicateOfLine: duplicateOfLine ?? null,
  });
  if (record.length !== width) return reject("malformed_row");
  const candidate: Candidate = {
    line,
    displayName: "",
    email: null,
    phone: null,
    locale: null,
    tags: [],
    company: null,
    attributes: {},
  };
  for (let i = 0; i < columns.length; i += 1) {
    const target = columns[i]!;
    const cell = (record[i] ?? "").trim();
    // Our own export guards cells against spreadsheet formulas with a leading quote; undo that.
    const value = /^'[=+\-@]/.test(cell) ? cell.slice(1) : cell;
    if (target === "ignore" || !value) continue;
    if (target.startsWith("attribute:")) {
      if (value.length > contactLimits.attribute) return reject("too_long", target);
      candidate.attributes[target.slice("attribute:".length)] = value;
    } else if (target === "displayName") {
      if (value.length > contactLimits.name) return reject("too_long", target);
      candidate.displayName = value;
    } else if (target === "email") {
      const email = normaliseEmail(value);
      const problem = emailProblem(email);
      if (problem) return reject(problem, target);
      candidate.email = email;
    } else if (target === "phone") {
      const problem = phoneProblem(value);
      if (problem) return reject(problem, target);
      candidate.phone = value;
    } else if (target === "locale") {
      const problem = localeProblem(value);
      if (problem) return reject(problem, target);
      candidate.locale = value;
    } else if (target === "tags") {
      const tags = [
        ...new Set(
          value
            .split(mapping.tagSeparator)
            .map((t) => t.trim())
            .filter(Boolean),
        ),
      ];
      if (tags.length > contactLimits.tags || tags.some((t) => t.length > contactLimits.tag))
        return reject("too_long", target);
      candidate.tags = tags;
    } else if (target === "company") {
      if (value.length > contactLimits.name) return reject("too_long", target);
      candidate.company = value;
    }
  }
  if (!candidate.displayName) return reject("missing_name", "displayName");
  if (candidate.email) {
    const earlier = seen.get(candidate.email);
    if (earlier !== undefined) return reject("duplicate_in_file", "email", earlier);
    seen.set(candidate.email, line);
  }
  return candidate;
}

/** One transaction: new contacts, updated (or skipped) duplicates, the issues, the job's counts, the events. */
async function writeBatch(
  deps: Deps,
  ctx: OrgContext,
  job: ImportRow,
  batch: { candidates: Candidate[]; issues: Issue[]; rowsRead: number },
) {
  const at = deps.clock.now();
  const onDuplicate = job.mapping!.onDuplicate;
  await deps.db.transaction(async (tx) => {
    const emails = batch.candidates.flatMap((c) => (c.email ? [c.email] : []));
    const existing =
      emails.length === 0
        ? []
        : await tx
            .select()
            .from(contact)
            .where(
              and(
                eq(contact.organizationId, ctx.organizationId),
                inArray(sql`lower(${contact.email})`, emails),
              ),
            );
    const byEmail = new Map(existing.map((c) => [c.email!.toLowerCase(), c]));
    const companies = await companiesByName(
      tx,
      ctx.organizationId,
      batch.candidates.flatMap((c) => (c.company ? [c.company] : [])),
    );
    const companyId = (name: string | null) => (name ? (companies.get(name.toLowerCase()) ?? null) : null);
    const events: ContactEventProps[] = [];
    const fresh = batch.candidates.filter((c) => !c.email || !byEmail.has(c.email));
    let updated = 0;
    let skipped = 0;
    for (const c of batch.candidates) {
      const stored = c.email ? byEmail.get(c.email) : undefined;
      if (!stored) continue;
      if (onDuplicate === "skip") {
        batch.issues.push({
          importId: job.id,
          line: c.line,
          outcome: "skipped",
          reason: "duplicate_existing",
          field: "email",
          duplicateOfLine: null,
        });
        skipped += 1;
        continue;
      }
      // Filling in, never emptying: a blank cell keeps what is stored; tags and attributes are merged.
      await tx
        .update(contact)
        .set({
          displayName: c.displayName,
          phone: c.phone ?? stored.phone,
          locale: c.locale ?? stored.locale,
          tags: [...new Set([...stored.tags, ...c.tags])],
          attributes: { ...stored.attributes, ...c.attributes },
          companyId: companyId(c.company) ?? stored.companyId,
          updatedAt: at,
        })
        .where(eq(contact.id, stored.id));
      events.push({ organizationId: ctx.organizationId, event: "contact.updated", contactId: stored.id, at });
      updated += 1;
    }
    if (fresh.length > 0) {
      // One JSON parameter instead of thousands of bind parameters: much faster on PGlite.
      const rows = fresh.map((c) => ({
        organization_id: ctx.organizationId,
        display_name: c.displayName,
        email: c.email,
        phone: c.phone,
        locale: c.locale,
        tags: c.tags,
        attributes: c.attributes,
        company_id: companyId(c.company),
        at: at.toISOString(),
      }));
      const created = await sqlRows<{ id: string }>(
        tx,
        sql`INSERT INTO contact (organization_id, display_name, email, phone, locale, tags, attributes, company_id, created_at, updated_at)
          SELECT r.organization_id, r.display_name, r.email, r.phone, r.locale,
            ARRAY(SELECT jsonb_array_elements_text(r.tags)), r.attributes, r.company_id, r.at, r.at
          FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(organization_id uuid, display_name text,
            email text, phone text, locale text, tags jsonb, attributes jsonb, company_id uuid, at timestamptz)
          RETURNING id`,
      );
      for (const row of created)
        events.push({ organizationId: ctx.organizationId, event: "contact.created", contactId: row.id, at });
    }
    if (batch.issues.length > 0) {
      await tx.execute(sql`INSERT INTO crm_import_issue (import_id, line, outcome, reason, field, duplicate_of_line)
        SELECT * FROM jsonb_to_recordset(${JSON.stringify(
          batch.issues.map((i) => ({
            import_id: i.importId,
            line: i.line,
            outcome: i.outcome,
            reason: i.reason,
            field: i.field ?? null,
            duplicate_of_line: i.duplicateOfLine ?? null,
          })),
        )}::jsonb) AS r(import_id uuid, line integer, outcome text, reason text, field text, duplicate_of_line integer)`);
    }
    await enqueueContactEvents(tx, events);
    const rejected = batch.issues.filter((i) => i.outcome === "rejected").length;
    await tx
      .update(crmImport)
      .set({
        rowsRead: batch.rowsRead,
        created: sql`${crmImport.created} + ${fresh.length}`,
        updated: sql`${crmImport.updated} + ${updated}`,
        skipped: sql`${crmImport.skipped} + ${skipped}`,
        rejected: sql`${crmImport.rejected} + ${rejected}`,
      })
      .where(eq(crmImport.id, job.id));
  });
}

export async function requireImport(db: DbOrTx, ctx: OrgContext, importId: string) {
  const [found] = await db
    .select()
    .from(crmImport)
    .where(and(eq(crmImport.organizationId, ctx.organizationId), eq(crmImport.id, importId)));
  if (!found) throw new NotFoundError("The import");
  return found;
}

export async function listImports(db: DbOrTx, ctx: OrgContext) {
  return db
    .select()
    .from(crmImport)
    .where(eq(crmImport.organizationId, ctx.organizationId))
    .orderBy(sql`${crmImport.createdAt} desc`)
    .limit(50);
}

/** The report of an import: the lines not taken (or skipped), in file order, page by page. */
export async function listImportIssues(
  db: DbOrTx,
  ctx: OrgContext,
  props: { importId: string; afterLine?: number; limit: number },
) {
  await requireImport(db, ctx, props.importId);
  const rows = await db
    .select({
      line: crmImportIssue.line,
      outcome: crmImportIssue.outcome,
      reason: crmImportIssue.reason,
      field: crmImportIssue.field,
      duplicateOfLine: crmImportIssue.duplicateOfLine,
    })
    .from(crmImportIssue)
    .where(
      and(eq(crmImportIssue.importId, props.importId), sql`${crmImportIssue.line} > ${props.afterLine ?? 0}`),
    )
    .orderBy(asc(crmImportIssue.line))
    .limit(props.limit);
  return rows;
}
