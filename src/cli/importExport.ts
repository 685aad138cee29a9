/**
 * `konversa import` and `konversa export mentions`: clients of the HTTP API, so they work while
 * `konversa start` holds the embedded database, and against any Konversa server. Files are
 * streamed in both directions; an import is resumable from a checkpoint beside the file.
 */
import { createReadStream, createWriteStream, existsSync, readFileSync, statSync } from "node:fs";
import { open, rename, rm, stat, truncate, writeFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type Command, InvalidArgumentError, Option } from "commander";
import { StartupError } from "../platform/errors.js";
import { networks } from "../platform/posts/normalizedPost.js";
import { progress, runCommand } from "./output.js";

// ---------------------------------------------------------------------------------------------
// Talking to the server

export interface ServerAccess {
  /** Base URL without trailing slash, e.g. http://localhost:3000. */
  url: string;
  token?: string;
}

const tokenSentence =
  "the API token is missing or invalid; create one in Settings → API tokens and pass --token";
/** Retries of one request after network errors, 5xx and 429, before the command gives up. */
const maxRetries = 5;

function serverAccess(options: { url?: string; token?: string }): ServerAccess {
  const url = (options.url ?? process.env.KONVERSA_URL ?? `http://localhost:${process.env.PORT ?? 3000}`)
    .trim()
    .replace(/\/+$/, "");
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    throw new StartupError(`The server URL "${url}" is not an http(s) URL; pass --url http://host:port.`);
  }
  const token = options.token ?? process.env.KONVERSA_API_TOKEN;
  if (!token) throw new StartupError(tokenSentence);
  return { url, token };
}

function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string } }).cause;
  const code = cause?.code ?? (error as { code?: string }).code;
  if (code === "ECONNREFUSED") return "connection refused";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "host not found";
  if (code === "ECONNRESET" || code === "UND_ERR_SOCKET") return "the connection was reset";
  if ((error as Error).name === "TimeoutError") return "no answer in time";
  return (error as Error).message;
}

function unreachable(server: ServerAccess, error: unknown): StartupError {
  return new StartupError(
    `Cannot reach the Konversa server at ${server.url} (${networkReason(error)}); start it with "konversa start" or pass --url.`,
  );
}

/** Seconds or an HTTP date, as RFC 9110 allows; undefined when absent or unreadable. */
function retryAfterMs(response: Response): number | undefined {
  const value = response.headers.get("retry-after");
  if (!value) return undefined;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - Date.now();
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), 120_000) : undefined;
}

async function errorMessage(response: Response): Promise<string> {
  const text = await response.text().catch(() => "");
  try {
    const parsed = JSON.parse(text) as { error?: { message?: string }; message?: string };
    return parsed.error?.message ?? parsed.message ?? `HTTP ${response.status}`;
  } catch {
    return text.trim().slice(0, 200) || `HTTP ${response.status}`;
  }
}

/**
 * One API call, retried with exponential backoff on network errors, 5xx and 429 (honouring
 * Retry-After). A 401 ends the command with the sentence that says how to get a token.
 */
async function callApi(
  server: ServerAccess,
  request: { method: "GET" | "POST"; path: string; body?: string },
): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    let response: Response | undefined;
    let failure: unknown;
    try {
      response = await fetch(`${server.url}${request.path}`, {
        method: request.method,
        headers: {
          authorization: `Bearer ${server.token}`,
          ...(request.body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: request.body,
        signal: AbortSignal.timeout(300_000),
      });
    } catch (error) {
      failure = error;
    }
    if (response?.status === 401) throw new StartupError(tokenSentence);
    if (response && response.status < 500 && response.status !== 429) return response;
    const why = response
      ? `${response.status} ${(await errorMessage(response)).replace(/\.$/, "")}`
      : networkReason(failure);
    if (attempt >= maxRetries) {
      if (!response) throw unreachable(server, failure);
      throw new StartupError(
        `The server at ${server.url} kept failing (${why}) after ${maxRetries + 1} attempts; try again later.`,
      );
    }
    const wait =
      (response && retryAfterMs(response)) ?? Math.min(500 * 2 ** attempt, 15_000) + Math.random() * 250;
    progress(
      `${request.method} ${request.path.split("?")[0]}: ${why}; retrying in ${(wait / 1000).toFixed(1)} s`,
    );
    await sleep(wait);
  }
}

/** Fails fast, in one sentence, when nobody answers at the URL at all. */
async function checkReachable(server: ServerAccess): Promise<void> {
  try {
    const response = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(15_000) });
    await response.body?.cancel();
  } catch (error) {
    throw unreachable(server, error);
  }
}

const numberFormat = new Intl.NumberFormat("en-US");
const formatCount = (n: number) => numberFormat.format(n);

/** At most one progress line a second, and always the last one. */
function throttledProgress(intervalMs = 1_000) {
  let last = 0;
  return (message: () => string, force = false) => {
    const now = Date.now();
    if (!force && now - last < intervalMs) return;
    last = now;
    progress(message());
  };
}

// ---------------------------------------------------------------------------------------------
// Reading a file: physical lines, JSON Lines rows and RFC 4180 CSV records

/** A row larger than this is rejected locally: the ingest API takes at most 32 MB per request. */
const maxRowBytes = 24 * 1024 * 1024;
/** A batch is sent early once it holds this many bytes, whatever --batch says. */
const maxBatchBytes = 16 * 1024 * 1024;

interface PhysicalLine {
  /** 1-based line number in the file. */
  line: number;
  /** The line without its "\n" (a "\r" before it stays); undefined when longer than maxRowBytes. */
  text: string | undefined;
  /** The first bytes of an over-long line, for the rejected file. */
  head?: string;
  /** Byte offset just after this line. */
  end: number;
}

/** Lines of a file from a byte offset, split on "\n" bytes (never inside a UTF-8 sequence). */
async function* physicalLines(file: string, start: number, firstLine: number): AsyncGenerator<PhysicalLine> {
  const stream = createReadStream(file, { start, highWaterMark: 256 * 1024 });
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let head: string | undefined;
  let offset = start;
  let line = firstLine;
  const take = (piece: Buffer) => {
    if (head !== undefined) return;
    pending.push(piece);
    pendingBytes += piece.length;
    if (pendingBytes > maxRowBytes) {
      head = Buffer.concat(pending).subarray(0, 1024).toString("utf8");
      pending = [];
    }
  };
  const finish = (): PhysicalLine => {
    let text = head === undefined ? Buffer.concat(pending).toString("utf8") : undefined;
    if (text !== undefined && line === 1 && start === 0) text = text.replace(/^\uFEFF/, "");
    const result = { line, text, head, end: offset };
    pending = [];
    pendingBytes = 0;
    head = undefined;
    line++;
    return result;
  };
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let from = 0;
    for (;;) {
      const newline = chunk.indexOf(10, from);
      if (newline === -1) {
        take(chunk.subarray(from));
        offset += chunk.length - from;
        break;
      }
      take(chunk.subarray(from, newline));
      offset += newline - from + 1;
      yield finish();
      from = newline + 1;
    }
  }
  if (pendingBytes > 0 || head !== undefined) yield finish();
}

/** One record of the input: where it is, its original text, and what it became. */
interface SourceRow {
  /** First line of the record (what the rejected file names). */
  line: number;
  /** Last line of the record (what the checkpoint records). */
  endLine: number;
  /** Byte offset just after the record. */
  end: number;
  /** The record as it stands in the file. */
  raw: string;
  /** What to send; absent when the row failed locally. */
  post?: unknown;
  /** Why the row is rejected. */
  reasons?: string[];
}

const tooLongReason = `the row is larger than ${maxRowBytes / 1024 / 1024} MB, more than the ingest API takes in one request`;

async function* jsonLinesRows(file: string, start: number, firstLine: number): AsyncGenerator<SourceRow> {
  for await (const { line, text, head, end } of physicalLines(file, start, firstLine)) {
    const row = { line, endLine: line, end };
    if (text === undefined) {
      yield { ...row, raw: head ?? "", reasons: [tooLongReason] };
      continue;
    }
    const raw = text.replace(/\r$/, "");
    if (raw.trim() === "") {
      yield { ...row, raw }; // a blank line: nothing to send, but the checkpoint may move past it
      continue;
    }
    try {
      yield { ...row, raw, post: JSON.parse(raw) };
    } catch (error) {
      yield { ...row, raw, reasons: [`not valid JSON: ${(error as Error).message}`] };
    }
  }
}

interface CsvRecord {
  line: number;
  endLine: number;
  end: number;
  raw: string;
  fields?: string[];
  error?: string;
}

/** Whether a line ends inside a quoted field, given whether it started inside one. */
function endsInsideQuotes(text: string, insideAtStart: boolean): boolean {
  let inside = insideAtStart;
  for (let i = text.indexOf('"'); i !== -1; i = text.indexOf('"', i + 1)) inside = !inside;
  return inside;
}

/** Splits one CSV record (without its line break) into fields, per RFC 4180. */
export function parseCsvRecord(record: string): { fields: string[] } | { error: string } {
  const text = record.endsWith("\r") ? record.slice(0, -1) : record;
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (text[i] === '"') {
      let value = "";
      i++;
      for (;;) {
        const quote = text.indexOf('"', i);
        if (quote === -1) return { error: `the quoted field ${fields.length + 1} is never closed` };
        value += text.slice(i, quote);
        if (text[quote + 1] === '"') {
          value += '"';
          i = quote + 2;
          continue;
        }
        i = quote + 1;
        break;
      }
      fields.push(value);
      if (i >= text.length) break;
      if (text[i] !== ",") return { error: `field ${fields.length} has text after its closing quote` };
      i++;
    } else {
      const comma = text.indexOf(",", i);
      const value = comma === -1 ? text.slice(i) : text.slice(i, comma);
      if (value.includes('"')) {
        return {
          error: `field ${fields.length + 1} contains a quote but is not quoted (write "" inside a quoted field)`,
        };
      }
      fields.push(value);
      if (comma === -1) break;
      i = comma + 1;
    }
  }
  return { fields };
}

/** CSV records, which may span lines when a quoted field holds line breaks. */
async function* csvRecords(file: string, start: number, firstLine: number): AsyncGenerator<CsvRecord> {
  let parts: string[] = [];
  let bytes = 0;
  let firstOfRecord = firstLine;
  let inside = false;
  let last: PhysicalLine | undefined;
  for await (const physical of physicalLines(file, start, firstLine)) {
    last = physical;
    if (parts.length === 0) firstOfRecord = physical.line;
    const where = { line: firstOfRecord, endLine: physical.line, end: physical.end };
    if (physical.text === undefined || bytes + (physical.text?.length ?? 0) > maxRowBytes) {
      yield { ...where, raw: physical.head ?? parts.join("\n").slice(0, 1024), error: tooLongReason };
      parts = [];
      bytes = 0;
      inside = false;
      continue;
    }
    parts.push(physical.text);
    bytes += physical.text.length + 1;
    inside = endsInsideQuotes(physical.text, inside);
    if (inside) continue;
    const raw = parts.join("\n");
    parts = [];
    bytes = 0;
    const parsed = parseCsvRecord(raw);
    yield "fields" in parsed
      ? { ...where, raw, fields: parsed.fields }
      : { ...where, raw, error: parsed.error };
  }
  if (parts.length > 0 && last) {
    yield {
      line: firstOfRecord,
      endLine: last.line,
      end: last.end,
      raw: parts.join("\n"),
      error: "a quoted field is never closed before the end of the file",
    };
  }
}

/** The columns `konversa import` understands in a CSV file. */
export const csvImportColumns = [
  "network",
  "externalId",
  "text",
  "authorHandle",
  "authorDisplayName",
  "authorFollowers",
  "postedAt",
  "url",
  "languageHint",
  "likes",
  "reposts",
  "replies",
  "parentExternalId",
  "threadExternalId",
  "isPublic",
] as const;
type CsvColumn = (typeof csvImportColumns)[number];
const requiredCsvColumns: CsvColumn[] = ["network", "externalId", "text", "authorHandle", "postedAt"];

/** Maps header positions to columns; a header the import does not understand stops it. */
function csvHeader(file: string, fields: string[]): CsvColumn[] {
  const byLowerCase = new Map(csvImportColumns.map((c) => [c.toLowerCase(), c]));
  const columns = fields.map((f) => byLowerCase.get(f.trim().toLowerCase()));
  const unknown = fields.filter((_, i) => !columns[i]).map((f) => `"${f}"`);
  if (unknown.length > 0) {
    throw new StartupError(
      `${file} has column${unknown.length > 1 ? "s" : ""} the import does not know: ${unknown.join(", ")}; use ${csvImportColumns.join(", ")}.`,
    );
  }
  const seen = new Set<string>();
  const twice = columns.filter((c) => seen.has(c!) || !seen.add(c!));
  if (twice.length > 0) throw new StartupError(`${file} has the column ${twice[0]} twice.`);
  const missing = requiredCsvColumns.filter((c) => !seen.has(c));
  if (missing.length > 0) throw new StartupError(`${file} lacks the column(s) ${missing.join(", ")}.`);
  return columns as CsvColumn[];
}

/** A cell that looks like a number becomes one; anything else goes as text for the API to judge. */
function numberCell(value: string | undefined): number | string | undefined {
  if (value === undefined) return undefined;
  const n = Number(value.trim());
  return value.trim() !== "" && Number.isFinite(n) ? n : value;
}

function booleanCell(value: string | undefined): boolean | string | undefined {
  if (value === undefined) return undefined;
  const v = value.trim().toLowerCase();
  if (["true", "1", "yes", "ja"].includes(v)) return true;
  if (["false", "0", "no", "nein"].includes(v)) return false;
  return value;
}

/** A CSV row as a NormalizedPost; empty cells are left out so the API's defaults apply. */
function postFromCsv(columns: CsvColumn[], fields: string[]): unknown {
  const cell: Partial<Record<CsvColumn, string>> = {};
  columns.forEach((column, i) => {
    if (fields[i] !== "") cell[column] = fields[i];
  });
  const engaged = cell.likes !== undefined || cell.reposts !== undefined || cell.replies !== undefined;
  return {
    network: cell.network,
    externalId: cell.externalId,
    text: cell.text ?? "",
    url: cell.url,
    languageHint: cell.languageHint,
    author: {
      handle: cell.authorHandle,
      displayName: cell.authorDisplayName,
      followers: numberCell(cell.authorFollowers),
    },
    parentExternalId: cell.parentExternalId,
    threadExternalId: cell.threadExternalId,
    postedAt: cell.postedAt,
    isPublic: booleanCell(cell.isPublic),
    engagement: engaged
      ? {
          likes: numberCell(cell.likes),
          reposts: numberCell(cell.reposts),
          replies: numberCell(cell.replies),
        }
      : undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// konversa import

export const importFormats = ["jsonl", "csv"] as const;
type ImportFormat = (typeof importFormats)[number];

interface Checkpoint {
  version: 1;
  format: ImportFormat;
  url: string;
  /** Size and modification time of the file when the import began; a change means start over. */
  size: number;
  mtimeMs: number;
  /** The last line whose row was acknowledged by the server (or rejected locally). */
  line: number;
  /** Byte offset just after that line: where a resumed import starts reading. */
  offset: number;
  rows: number;
  accepted: number;
  rejected: number;
  /** Size of the rejected file at this point; a resumed import cuts it back to this. */
  rejectedBytes: number;
  done: boolean;
  updatedAt: string;
}

function formatOf(file: string, given: ImportFormat | undefined): ImportFormat {
  if (given) return given;
  const ext = path.extname(file).toLowerCase();
  if (ext === ".csv") return "csv";
  if ([".jsonl", ".ndjson", ".json"].includes(ext)) return "jsonl";
  throw new StartupError(
    `Cannot tell the format of ${file} from its name; pass --format jsonl or --format csv.`,
  );
}

function readCheckpoint(file: string): Checkpoint | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Checkpoint;
  } catch {
    throw new StartupError(`The checkpoint ${file} is unreadable; pass --restart to start over.`);
  }
}

async function writeCheckpoint(file: string, checkpoint: Checkpoint): Promise<void> {
  const temporary = `${file}.tmp`;
  await writeFile(temporary, `${JSON.stringify(checkpoint, null, 2)}\n`);
  await rename(temporary, file);
}

export interface ImportOptions {
  format?: ImportFormat;
  url?: string;
  token?: string;
  batch: number;
  restart?: boolean;
}

interface IngestAnswer {
  accepted: number;
  rejected: Array<{ index: number; reasons: string[] }>;
}

/**
 * Sends the posts of a batch; a batch the server finds too large (413) is halved until it fits.
 * Returns how many were accepted and the reasons of each rejected row.
 */
async function sendPosts(
  server: ServerAccess,
  rows: SourceRow[],
): Promise<{ accepted: number; rejected: Map<SourceRow, string[]> }> {
  const response = await callApi(server, {
    method: "POST",
    path: "/api/v1/ingest/posts",
    body: JSON.stringify({ posts: rows.map((r) => r.post) }),
  });
  if (response.status === 413) {
    await response.body?.cancel();
    if (rows.length === 1) {
      return {
        accepted: 0,
        rejected: new Map([[rows[0]!, ["the row is larger than the server accepts in one request"]]]),
      };
    }
    const half = Math.ceil(rows.length / 2);
    const first = await sendPosts(server, rows.slice(0, half));
    const second = await sendPosts(server, rows.slice(half));
    return {
      accepted: first.accepted + second.accepted,
      rejected: new Map([...first.rejected, ...second.rejected]),
    };
  }
  if (response.status !== 202 && response.status !== 200) {
    throw new StartupError(`The server refused the posts: ${await errorMessage(response)}`);
  }
  const answer = (await response.json()) as IngestAnswer;
  const rejected = new Map<SourceRow, string[]>();
  for (const r of answer.rejected) {
    const row = rows[r.index];
    if (row) rejected.set(row, r.reasons);
  }
  return { accepted: answer.accepted, rejected };
}

/** Imports a JSON Lines or CSV file of posts through the ingest API; returns the exit code. */
export async function importFile(file: string, options: ImportOptions): Promise<number> {
  if (!existsSync(file) || !statSync(file).isFile()) throw new StartupError(`There is no file ${file}.`);
  const format = formatOf(file, options.format);
  const server = serverAccess(options);
  const checkpointFile = `${file}.konversa-import.json`;
  const rejectedFile = `${file}.rejected.jsonl`;
  const { size, mtimeMs } = await stat(file);

  const checkpoint = options.restart ? undefined : readCheckpoint(checkpointFile);
  if (checkpoint && (checkpoint.size !== size || checkpoint.mtimeMs !== mtimeMs)) {
    throw new StartupError(
      `${file} changed since the import recorded in ${checkpointFile}; pass --restart to import it from the start.`,
    );
  }
  if (checkpoint && (checkpoint.url !== server.url || checkpoint.format !== format)) {
    throw new StartupError(
      `${checkpointFile} belongs to a ${checkpoint.format} import into ${checkpoint.url}; pass --restart to import into ${server.url}.`,
    );
  }

  // A CSV header is read (and checked) before anything is sent, also when resuming.
  let columns: CsvColumn[] | undefined;
  let headerEnd = 0;
  let headerLine = 0;
  if (format === "csv") {
    for await (const record of csvRecords(file, 0, 1)) {
      if (record.raw.trim() === "") continue;
      if (!record.fields) throw new StartupError(`The header of ${file} is not valid CSV: ${record.error}.`);
      columns = csvHeader(file, record.fields);
      headerEnd = record.end;
      headerLine = record.endLine;
      break;
    }
    if (!columns) throw new StartupError(`${file} is empty; a CSV file needs a header row.`);
  }

  const total = {
    rows: checkpoint?.rows ?? 0,
    accepted: checkpoint?.accepted ?? 0,
    rejected: checkpoint?.rejected ?? 0,
  };
  const summary = () => {
    const rejectedNote = total.rejected > 0 ? ` (reasons in ${rejectedFile})` : "";
    process.stdout.write(
      `Imported ${file}: ${formatCount(total.accepted)} of ${formatCount(total.rows)} rows accepted, ${formatCount(total.rejected)} rejected${rejectedNote}.\n`,
    );
    return total.rejected > 0 ? 3 : 0;
  };
  if (checkpoint?.done) {
    progress(
      `${file} was imported completely before (${checkpointFile}); nothing to send. Pass --restart to send it again.`,
    );
    return summary();
  }

  await checkReachable(server);

  if (checkpoint) {
    // Rows rejected after the last checkpoint are written again; cut the file back to avoid doubles.
    if (existsSync(rejectedFile) && statSync(rejectedFile).size > checkpoint.rejectedBytes) {
      await truncate(rejectedFile, checkpoint.rejectedBytes);
    }
    progress(`Resuming ${file} after line ${formatCount(checkpoint.line)} (${checkpointFile}).`);
  } else {
    await rm(rejectedFile, { force: true });
  }
  const rejectedOut = await open(rejectedFile, "a");
  let rejectedBytes = checkpoint?.rejectedBytes ?? 0;
  let position = { line: checkpoint?.line ?? headerLine, offset: checkpoint?.offset ?? headerEnd };
  const startedRows = total.rows;
  const started = Date.now();

  const say = throttledProgress();
  const progressLine = () => {
    const fraction = size > 0 ? position.offset / size : 1;
    const estimate = fraction > 0 ? Math.max(total.rows, Math.round(total.rows / fraction)) : total.rows;
    return `imported ${formatCount(total.accepted)} of ~${formatCount(estimate)} rows (${Math.floor(fraction * 100)} %), ${formatCount(total.rejected)} rejected`;
  };

  const saveCheckpoint = (done: boolean) =>
    writeCheckpoint(checkpointFile, {
      version: 1,
      format,
      url: server.url,
      size,
      mtimeMs,
      line: position.line,
      offset: position.offset,
      ...total,
      rejectedBytes,
      done,
      updatedAt: new Date().toISOString(),
    });

  let batch: SourceRow[] = [];
  let batchPosts = 0;
  let batchBytes = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    batchPosts = 0;
    batchBytes = 0;
    const toSend = rows.filter((r) => r.post !== undefined);
    const sent = toSend.length > 0 ? await sendPosts(server, toSend) : { accepted: 0, rejected: new Map() };
    const lines = rows
      .map((r) => ({ r, reasons: r.reasons ?? sent.rejected.get(r) }))
      .filter((x): x is { r: SourceRow; reasons: string[] } => x.reasons !== undefined)
      .map(({ r, reasons }) => `${JSON.stringify({ line: r.line, reasons, row: r.raw })}\n`)
      .join("");
    if (lines) {
      const bytes = Buffer.from(lines, "utf8");
      await rejectedOut.write(bytes);
      rejectedBytes += bytes.length;
    }
    total.rows += rows.filter((r) => r.post !== undefined || r.reasons).length;
    total.accepted += sent.accepted;
    total.rejected += rows.filter((r) => r.reasons).length + sent.rejected.size;
    const last = rows.at(-1)!;
    position = { line: last.endLine, offset: last.end };
    await saveCheckpoint(false);
    say(progressLine);
  };

  try {
    const rows: AsyncIterable<SourceRow> =
      format === "jsonl"
        ? jsonLinesRows(file, position.offset, position.line + 1)
        : csvRows(file, columns!, position.offset, position.line + 1);
    for await (const row of rows) {
      const bytes = row.raw.length;
      const full =
        batchPosts >= options.batch || batchBytes + bytes > maxBatchBytes || batch.length >= 10_000;
      if (batch.length > 0 && full) await flush();
      batch.push(row);
      batchBytes += bytes;
      if (row.post !== undefined) batchPosts++;
    }
    await flush();
    await saveCheckpoint(true);
  } finally {
    await rejectedOut.close();
  }
  say(progressLine, true);
  const seconds = (Date.now() - started) / 1000;
  progress(`${formatCount(total.rows - startedRows)} rows in ${seconds.toFixed(1)} s.`);
  return summary();
}

async function* csvRows(
  file: string,
  columns: CsvColumn[],
  start: number,
  firstLine: number,
): AsyncGenerator<SourceRow> {
  for await (const record of csvRecords(file, start, firstLine)) {
    const row = { line: record.line, endLine: record.endLine, end: record.end, raw: record.raw };
    if (!record.fields) {
      yield { ...row, reasons: [`not valid CSV: ${record.error}`] };
    } else if (record.raw.replace(/\r$/, "") === "") {
      yield row;
    } else if (record.fields.length !== columns.length) {
      yield {
        ...row,
        reasons: [`not valid CSV: the row has ${record.fields.length} fields, the header ${columns.length}`],
      };
    } else {
      yield { ...row, post: postFromCsv(columns, record.fields) };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// konversa export mentions

export interface ExportOptions {
  out: string;
  format?: "csv" | "jsonl";
  url?: string;
  token?: string;
  query?: string;
  from?: string;
  to?: string;
  sentiment?: string;
  network?: string;
  language?: string;
  author?: string;
  search?: string;
}

/** Counts records as bytes arrive: line breaks, outside quotes for CSV. */
function recordCounter(format: "csv" | "jsonl") {
  let inside = false;
  let records = 0;
  return {
    add(chunk: Uint8Array) {
      for (const byte of chunk) {
        if (byte === 0x22 && format === "csv") inside = !inside;
        else if (byte === 0x0a && !inside) records++;
      }
    },
    /** Data rows so far (without the CSV header). */
    get rows() {
      return format === "csv" ? Math.max(0, records - 1) : records;
    },
  };
}

/** Streams the filtered mentions into a file, written as `<out>.part` and renamed when complete. */
export async function exportMentionsToFile(options: ExportOptions): Promise<void> {
  const server = serverAccess(options);
  const ext = path.extname(options.out).toLowerCase();
  const format = options.format ?? (ext === ".jsonl" || ext === ".ndjson" ? "jsonl" : "csv");
  const filters = new URLSearchParams();
  const set = (name: string, value: string | undefined) => {
    if (value !== undefined) filters.set(name, value);
  };
  set("queryId", options.query);
  set("from", options.from);
  set("to", options.to);
  set("sentiment", options.sentiment);
  set("network", options.network);
  set("language", options.language);
  set("author", options.author);
  set("q", options.search);

  await checkReachable(server);
  const counted = await callApi(server, { method: "GET", path: `/api/v1/mentions/count?${filters}` });
  if (counted.status !== 200)
    throw new StartupError(`The server refused the export: ${await errorMessage(counted)}`);
  const { count } = (await counted.json()) as { count: number };

  filters.set("format", format);
  const response = await callApi(server, { method: "GET", path: `/api/v1/mentions/export?${filters}` });
  if (response.status !== 200 || !response.body) {
    throw new StartupError(`The server refused the export: ${await errorMessage(response)}`);
  }
  const partial = `${options.out}.part`;
  const out = createWriteStream(partial);
  const counter = recordCounter(format);
  const say = throttledProgress();
  const line = () =>
    `exported ${formatCount(counter.rows)} of ${formatCount(count)} mentions (${count > 0 ? Math.floor((counter.rows / count) * 100) : 100} %)`;
  try {
    for await (const chunk of response.body) {
      counter.add(chunk);
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
      say(line);
    }
    await new Promise<void>((resolve, reject) =>
      out.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
  } catch (error) {
    out.destroy();
    await rm(partial, { force: true });
    throw new StartupError(
      `The export from ${server.url} broke off (${networkReason(error)}); nothing was written to ${options.out}, run it again.`,
    );
  }
  await rename(partial, options.out);
  say(line, true);
  process.stdout.write(`Exported ${formatCount(counter.rows)} mentions to ${options.out}.\n`);
}

// ---------------------------------------------------------------------------------------------
// Commands

function wholeNumber(min: number, max: number) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`give a whole number from ${min} to ${max}`);
    return n;
  };
}

function isoDate(value: string): string {
  if (Number.isNaN(Date.parse(value)))
    throw new InvalidArgumentError("give a date like 2025-03-01 or 2025-03-01T08:00:00Z");
  return new Date(value).toISOString();
}

const serverOptions = (command: Command) =>
  command
    .option(
      "--url <url>",
      "the Konversa server (default: $KONVERSA_URL, else http://localhost:$PORT or 3000)",
    )
    .option("--token <token>", "personal API token kvt_… (default: $KONVERSA_API_TOKEN)");

export function registerImportExportCommands(program: Command): void {
  const importCommand = program
    .command("import")
    .description(
      "Import posts (JSON Lines of NormalizedPost, or CSV) through the ingest API; resumable, rejected rows go to <file>.rejected.jsonl.",
    )
    .argument(
      "<file>",
      "the posts: .jsonl (one NormalizedPost per line) or .csv (header row, see docs/import-export.md)",
    )
    .addOption(
      new Option("--format <format>", "file format (default: from the file name)").choices([
        ...importFormats,
      ]),
    )
    .option("--batch <n>", "posts per request", wholeNumber(1, 1000), 500)
    .option("--restart", "ignore the checkpoint <file>.konversa-import.json and start from the first row");
  serverOptions(importCommand)
    .addHelpText(
      "after",
      "\nExit codes: 0 every row was accepted; 3 some rows were rejected (each with its line and reasons in <file>.rejected.jsonl); 1 a fatal error (server unreachable, token invalid, unreadable file).\nRunning it again after an interruption continues after the last acknowledged line.",
    )
    .action((file: string, options: ImportOptions) =>
      runCommand(async () => {
        process.exitCode = await importFile(file, options);
      }),
    );

  const exportCommand = program.command("export").description("Export data through the API.");
  const mentions = exportCommand
    .command("mentions")
    .description("Download the mentions a filter selects (newest first) as CSV or JSON Lines, with progress.")
    .requiredOption("--out <file>", "where to write them")
    .addOption(
      new Option("--format <format>", "file format (default: from --out, else csv)").choices([
        "csv",
        "jsonl",
      ]),
    )
    .option("--query <id>", "only mentions matched by this listening query")
    .option("--from <date>", "posted at or after (ISO 8601)", isoDate)
    .option("--to <date>", "posted at or before (ISO 8601)", isoDate)
    .addOption(
      new Option("--sentiment <sentiment>", "only this sentiment").choices([
        "negative",
        "neutral",
        "positive",
      ]),
    )
    .addOption(new Option("--network <network>", "only this network").choices([...networks]))
    .option("--language <code>", "only this language (two letters)")
    .option("--author <handle>", "only this author")
    .option("--search <words>", "full-text search, as in the mention search box");
  serverOptions(mentions).action((options: ExportOptions) => runCommand(() => exportMentionsToFile(options)));
}
