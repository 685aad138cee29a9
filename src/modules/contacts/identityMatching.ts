import { normalizeEmail, normalizePhone } from "../privacy/audienceExporter.js";

/**
 * Identity resolution without I/O: which contact a social author may be, with a score (0–1) and the
 * evidence behind it. Pairs are only compared inside blocks (same e-mail, same phone, same first
 * name or initial with a similar surname), so the work grows with the block sizes, not with
 * contacts × authors.
 */

export interface ContactForMatching {
  id: string;
  displayName: string;
  email?: string | null;
  phone?: string | null;
}

export interface AuthorForMatching {
  id: string;
  network: string;
  handle: string;
  displayName?: string | null;
  /** An e-mail address the author shows (the handle of an e-mail identity, a profile field). */
  email?: string | null;
  phone?: string | null;
  /** Contacts whose conversations this author took part in (the same thread, the same ticket). */
  sharedConversationContactIds?: string[];
}

export type Evidence =
  | { kind: "email_exact" }
  | { kind: "phone_exact" }
  | { kind: "shared_conversation" }
  | { kind: "name_similarity"; similarity: number }
  | { kind: "name_mismatch"; similarity: number }
  | { kind: "handle_similarity"; similarity: number }
  | { kind: "rare_surname" }
  | { kind: "common_surname" }
  | { kind: "ambiguous"; contacts: number }
  | { kind: "another_contact_fits_better" };

export interface Candidate {
  identityId: string;
  contactId: string;
  score: number;
  evidence: Evidence[];
}

/** Default certainty from which a candidate counts as likely (precision ≥ 0.98 in bench:identity). */
export const defaultCertainty = 0.8;
/** Below this, a pair is not worth an agent's time and is not returned. */
export const defaultMinimumScore = 0.3;

const transliterations: Record<string, string> = { ä: "ae", ö: "oe", ü: "ue", ß: "ss", æ: "ae", ø: "oe" };

/** Lower case, umlauts and ß spelled out (Müller → mueller), other accents dropped, letters only. */
export function normalizeName(text: string): string {
  return text
    .toLowerCase()
    .replace(/[äöüßæø]/g, (c) => transliterations[c]!)
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^a-z\s]/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** Name tokens; "Müller, Thomas" and "Thomas Müller" give the same set. */
export function nameTokens(text: string): string[] {
  return normalizeName(text.replace(/([a-z])([A-Z])/g, "$1 $2"))
    .split(" ")
    .filter((t) => t.length > 0);
}

/** The letters of a handle without its server or network suffix and without digits. */
export function handleLetters(handle: string): string {
  const local = handle
    .trim()
    .replace(/^@/, "")
    .replace(/@.*$/, "")
    .replace(/\.(bsky\.social|bsky\.app|mastodon\.social)$/i, "");
  return normalizeName(local).replace(/ /g, "");
}

/** Nicknames and short forms → the full first name they stand for (German and English). */
const nicknames: Record<string, string> = {
  bill: "william",
  will: "william",
  willi: "wilhelm",
  liz: "elizabeth",
  beth: "elizabeth",
  lisa: "elisabeth",
  lise: "elisabeth",
  bob: "robert",
  rob: "robert",
  robbie: "robert",
  mike: "michael",
  micha: "michael",
  michi: "michael",
  hans: "johannes",
  jo: "johannes",
  johann: "johannes",
  sepp: "josef",
  joe: "joseph",
  kathi: "katharina",
  kati: "katharina",
  katrin: "katharina",
  kate: "katherine",
  katie: "katherine",
  steffi: "stefanie",
  alex: "alexander",
  sascha: "alexander",
  andi: "andreas",
  andy: "andrew",
  tom: "thomas",
  tommy: "thomas",
  basti: "sebastian",
  flo: "florian",
  leni: "helena",
  lena: "helena",
  susi: "susanne",
  sue: "susan",
  uschi: "ursula",
  gabi: "gabriele",
  jenny: "jennifer",
  jen: "jennifer",
  dave: "david",
  jim: "james",
  jimmy: "james",
  jamie: "james",
  dan: "daniel",
  danny: "daniel",
  matt: "matthew",
  nick: "nicholas",
  sam: "samuel",
  chris: "christian",
  christoph: "christopher",
  fritz: "friedrich",
  franzi: "franziska",
  lukas: "lucas",
  max: "maximilian",
  moni: "monika",
  conny: "cornelia",
  tina: "christina",
  tobi: "tobias",
  nadja: "nadine",
  jule: "julia",
  juli: "julia",
  pete: "peter",
  maggie: "margaret",
  meg: "margaret",
  peggy: "margaret",
  ben: "benjamin",
  benni: "benjamin",
  olli: "oliver",
  ollie: "oliver",
  steve: "stephen",
  stevie: "stephen",
  tony: "anthony",
  rick: "richard",
  dick: "richard",
  ted: "edward",
  ed: "edward",
  eddie: "edward",
};

export function canonicalFirstName(token: string): string {
  return nicknames[token] ?? token;
}

/**
 * The most frequent surnames in Germany and the English-speaking world (normalised): a match on one
 * of them says little about who somebody is.
 */
export const commonSurnames = new Set(
  [
    "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch Bauer Richter",
    "Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann Lange Schmitt Werner",
    "Schmitz Krause Meier Lehmann Schmid Schulze Maier Köhler Herrmann König Walter Mayer Huber Kaiser Fuchs",
    "Peters Lang Scholz Möller Weiß Jung Hahn Schubert Vogel Friedrich Keller Günther Frank Berger Winkler",
    "Roth Beck Lorenz Baumann Franke Albrecht Schuster Simon Ludwig Böhm Winter Kraus Martin Schumacher",
    "Smith Jones Williams Brown Taylor Davies Wilson Evans Thomas Johnson Roberts Walker Wright Robinson",
    "Thompson White Hughes Edwards Green Hall Wood Harris Lewis Jackson Clarke Clark Turner Hill Scott",
    "Cooper Morris Ward Moore King Watson Baker Harrison Morgan Patel Young Allen Mitchell James Anderson",
  ]
    .join(" ")
    .split(" ")
    .map(normalizeName),
);

/** Jaro-Winkler similarity (0–1) of two strings. */
export function jaroWinkler(a: string, b: string): number {
  if (a === b) return a.length === 0 ? 0 : 1;
  const la = a.length;
  const lb = b.length;
  if (la === 0 || lb === 0) return 0;
  const window = Math.max(0, Math.floor(Math.max(la, lb) / 2) - 1);
  const matchedA = new Uint8Array(la);
  const matchedB = new Uint8Array(lb);
  let matches = 0;
  for (let i = 0; i < la; i += 1) {
    const from = Math.max(0, i - window);
    const to = Math.min(lb - 1, i + window);
    for (let j = from; j <= to; j += 1) {
      if (matchedB[j] || a.charCodeAt(i) !== b.charCodeAt(j)) continue;
      matchedA[i] = 1;
      matchedB[j] = 1;
      matches += 1;
      break;
    }
  }
  if (matches === 0) return 0;
  let transpositions = 0;
  let k = 0;
  for (let i = 0; i < la; i += 1) {
    if (!matchedA[i]) continue;
    while (!matchedB[k]) k += 1;
    if (a.charCodeAt(i) !== b.charCodeAt(k)) transpositions += 1;
    k += 1;
  }
  const m = matches;
  const jaro = (m / la + m / lb + (m - transpositions / 2) / m) / 3;
  let prefix = 0;
  while (prefix < 4 && prefix < la && prefix < lb && a[prefix] === b[prefix]) prefix += 1;
  return jaro + prefix * 0.1 * (1 - jaro);
}

interface PreparedContact {
  id: string;
  first: string;
  firstCanonical: string;
  last: string;
  email?: string;
  phone?: string;
  /** How many contacts share this normalised full name. */
  namesakes: number;
}

interface PreparedAuthor {
  source: AuthorForMatching;
  tokens: string[];
  handle: string;
  email?: string;
  phone?: string;
}

function prepareContact(c: ContactForMatching): PreparedContact | undefined {
  const tokens = nameTokens(c.displayName);
  const email = c.email ? normalizeEmail(c.email) : undefined;
  const phone = c.phone ? normalizePhone(c.phone) : undefined;
  if (tokens.length === 0 && !email && !phone) return undefined;
  const first = tokens.length > 1 ? tokens[0]! : "";
  const last = tokens.at(-1) ?? "";
  return { id: c.id, first, firstCanonical: canonicalFirstName(first), last, email, phone, namesakes: 1 };
}

function prepareAuthor(a: AuthorForMatching): PreparedAuthor {
  const handleEmail = a.network === "email" ? normalizeEmail(a.handle) : undefined;
  const handlePhone = ["whatsapp", "sms", "phone"].includes(a.network) ? normalizePhone(a.handle) : undefined;
  return {
    source: a,
    tokens: a.displayName ? nameTokens(a.displayName) : [],
    handle: handleEmail || handlePhone ? "" : handleLetters(a.handle),
    email: handleEmail ?? (a.email ? normalizeEmail(a.email) : undefined),
    phone: handlePhone ?? (a.phone ? normalizePhone(a.phone) : undefined),
  };
}

// Three letters each: one typo in a surname leaves at least one end intact.
const prefix3 = (s: string) => s.slice(0, 3);
const suffix3 = (s: string) => s.slice(-3);

/** The blocking keys of a contact: e-mail, phone, and first name (or initial) with surname ends. */
function contactKeys(c: PreparedContact): string[] {
  const keys: string[] = [];
  if (c.email) keys.push(`e:${c.email}`);
  if (c.phone) keys.push(`p:${c.phone}`);
  if (c.first && c.last.length >= 2) {
    for (const first of new Set([c.firstCanonical, c.first[0]!])) {
      keys.push(`n:${first}|${prefix3(c.last)}`, `s:${first}|${suffix3(c.last)}`);
    }
  }
  return keys;
}

/** The same keys read from an author's display name (any token order) and from splits of the handle. */
function authorKeys(a: PreparedAuthor): string[] {
  const keys = new Set<string>();
  if (a.email) keys.add(`e:${a.email}`);
  if (a.phone) keys.add(`p:${a.phone}`);
  // A full first name meets contacts of that (canonical) first name; a lone initial meets the initial.
  const pair = (first: string, last: string) => {
    if (last.length < 2 || first.length === 0) return;
    const f = first.length === 1 ? first : canonicalFirstName(first);
    keys.add(`n:${f}|${prefix3(last)}`);
    keys.add(`s:${f}|${suffix3(last)}`);
  };
  for (let i = 0; i < a.tokens.length; i += 1) {
    for (let j = 0; j < a.tokens.length; j += 1) if (i !== j) pair(a.tokens[i]!, a.tokens[j]!);
  }
  const h = a.handle;
  if (h.length >= 4) {
    // "tmueller", "thomasmueller", "muellerthomas": every split point is a possible first|last.
    for (let k = 1; k < h.length - 1; k += 1) {
      const left = h.slice(0, k);
      const right = h.slice(k);
      pair(left, right);
      pair(right, left);
    }
  }
  return [...keys];
}

/** How well the author's display name fits the contact's name (0–1), undefined without a name. */
function nameSimilarity(c: PreparedContact, a: PreparedAuthor): number | undefined {
  if (a.tokens.length === 0 || !c.last) return undefined;
  const lastSim = Math.max(...a.tokens.map((t) => jaroWinkler(c.last, t)));
  if (!c.first) return lastSim;
  const lastIndex = a.tokens.findIndex((t) => jaroWinkler(c.last, t) === lastSim);
  const others = a.tokens.filter((_, i) => i !== lastIndex);
  if (others.length === 0) return lastSim * 0.75;
  const firstSim = Math.max(
    ...others.map((t) => {
      if (t.length === 1) return t === c.first[0] ? 0.85 : 0;
      const canonical = canonicalFirstName(t);
      if (canonical === c.firstCanonical) return 1;
      return Math.max(jaroWinkler(c.first, t), jaroWinkler(c.firstCanonical, canonical));
    }),
  );
  return 0.6 * lastSim + 0.4 * firstSim;
}

/** How well the handle spells the contact's name (first.last, flast, lastfirst …), 0–1. */
function handleSimilarity(c: PreparedContact, a: PreparedAuthor): number | undefined {
  if (!a.handle || !c.first || !c.last) return undefined;
  // A handle that holds neither end of the surname does not spell this name; skip the comparisons.
  if (!a.handle.includes(prefix3(c.last)) && !a.handle.includes(suffix3(c.last))) return 0;
  const firsts = new Set([c.first, c.firstCanonical, ...nicknamesOf(c.firstCanonical)]);
  let best = 0;
  for (const f of firsts) {
    for (const form of [f + c.last, c.last + f, f[0] + c.last, c.last + f[0]]) {
      best = Math.max(best, jaroWinkler(form, a.handle));
    }
  }
  return best;
}

const nicknamesByName = new Map<string, string[]>();
for (const [nick, full] of Object.entries(nicknames)) {
  nicknamesByName.set(full, [...(nicknamesByName.get(full) ?? []), nick]);
}
function nicknamesOf(name: string): string[] {
  return nicknamesByName.get(name) ?? [];
}

/** The log-odds and evidence of one pair, before the author's other candidates are considered. */
function scorePair(c: PreparedContact, a: PreparedAuthor): { logit: number; evidence: Evidence[] } {
  const evidence: Evidence[] = [];
  let logit = -4;
  if (a.email && a.email === c.email) {
    logit += 8;
    evidence.push({ kind: "email_exact" });
  }
  if (a.phone && a.phone === c.phone) {
    logit += 7;
    evidence.push({ kind: "phone_exact" });
  }
  if (a.source.sharedConversationContactIds?.includes(c.id)) {
    logit += 3.5;
    evidence.push({ kind: "shared_conversation" });
  }
  const name = nameSimilarity(c, a);
  const round = (x: number) => Math.round(x * 1000) / 1000;
  let nameStrong = false;
  if (name !== undefined) {
    if (name >= 0.85) {
      nameStrong = name >= 0.92;
      logit += name >= 0.97 ? 2.5 : name >= 0.92 ? 1.8 : 0.8;
      evidence.push({ kind: "name_similarity", similarity: round(name) });
    } else {
      logit -= 1.5;
      evidence.push({ kind: "name_mismatch", similarity: round(name) });
    }
  }
  const handle = handleSimilarity(c, a);
  let handleStrong = false;
  if (handle !== undefined && handle >= 0.85) {
    handleStrong = handle >= 0.93;
    logit += handle >= 0.97 ? 2 : handle >= 0.93 ? 1.3 : 0.6;
    evidence.push({ kind: "handle_similarity", similarity: round(handle) });
  }
  // Rarity only counts when the surname itself is spelled exactly, in the name or in the handle.
  const exactSurname = a.tokens.includes(c.last) || (c.last.length >= 4 && a.handle.includes(c.last));
  if ((nameStrong || handleStrong) && c.last && exactSurname) {
    if (commonSurnames.has(c.last) || c.namesakes > 1) {
      logit -= 0.5;
      evidence.push({ kind: "common_surname" });
    } else {
      logit += 1;
      evidence.push({ kind: "rare_surname" });
    }
  }
  return { logit, evidence };
}

export interface ResolveOptions {
  /** Pairs scoring below this are dropped (default 0.3). */
  minimumScore?: number;
  /** Contact ids an author must not be proposed for again (rejected earlier), per author id. */
  rejected?: Map<string, Set<string>>;
}

/**
 * Candidates for every author, best first per author. Only an author's best contact can be likely:
 * every other one is capped below the certainty, and the best one loses certainty when another
 * contact fits almost as well.
 */
export function resolveIdentities(
  contacts: ContactForMatching[],
  authors: AuthorForMatching[],
  options: ResolveOptions = {},
): Candidate[] {
  const minimum = options.minimumScore ?? defaultMinimumScore;
  const prepared = contacts.map(prepareContact).filter((c): c is PreparedContact => Boolean(c));
  const byFullName = new Map<string, number>();
  for (const c of prepared) {
    const key = `${c.firstCanonical} ${c.last}`;
    byFullName.set(key, (byFullName.get(key) ?? 0) + 1);
  }
  const blocks = new Map<string, PreparedContact[]>();
  for (const c of prepared) {
    c.namesakes = byFullName.get(`${c.firstCanonical} ${c.last}`) ?? 1;
    for (const key of contactKeys(c)) {
      const block = blocks.get(key);
      if (block) block.push(c);
      else blocks.set(key, [c]);
    }
  }
  const byId = new Map(prepared.map((c) => [c.id, c]));
  const out: Candidate[] = [];
  for (const source of authors) {
    const author = prepareAuthor(source);
    const pool = new Map<string, PreparedContact>();
    for (const key of authorKeys(author)) for (const c of blocks.get(key) ?? []) pool.set(c.id, c);
    for (const id of source.sharedConversationContactIds ?? []) {
      const c = byId.get(id);
      if (c) pool.set(id, c);
    }
    const rejected = options.rejected?.get(source.id);
    const scored = [...pool.values()]
      .filter((c) => !rejected?.has(c.id))
      .map((c) => ({ contact: c, ...scorePair(c, author) }))
      .sort((x, y) => y.logit - x.logit);
    if (scored.length === 0) continue;
    // One author is at most one contact, or none of them: the scores of an author's candidates are
    // shares of one probability (softmax with "nobody" at log-odds 0), so two contacts that fit
    // equally well can never both be likely.
    const top = scored[0]!.logit;
    const none = Math.exp(-top);
    const total = none + scored.reduce((sum, s) => sum + Math.exp(s.logit - top), 0);
    const close = scored.filter((s) => top - s.logit < 2).length;
    for (const [index, s] of scored.entries()) {
      const score = Math.exp(s.logit - top) / total;
      if (score < minimum) continue;
      if (index === 0 && close > 1) s.evidence.push({ kind: "ambiguous", contacts: close });
      if (index > 0) s.evidence.push({ kind: "another_contact_fits_better" });
      out.push({
        identityId: source.id,
        contactId: s.contact.id,
        score: Math.round(score * 1000) / 1000,
        evidence: s.evidence,
      });
    }
  }
  return out;
}
