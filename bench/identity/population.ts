import type { AuthorForMatching, ContactForMatching } from "../../src/modules/contacts/identityMatching.js";

/**
 * A generated customer base and social audience with known truth, for the identity-resolution test
 * and bench:identity. Contacts have German and English names (common surnames follow a Zipf
 * distribution, the long tail is composed), e-mails, phones in many notations and shared household
 * e-mails. Authors are either a contact's account (name spelled exactly, with a nickname, a typo,
 * without umlauts, reversed, only an initial; handles derived from the name or unrelated) or
 * strangers — among them namesakes who copy a contact's common name and a handle built from it.
 */

export interface Population {
  contacts: ContactForMatching[];
  authors: AuthorForMatching[];
  /** Author id → the contact it belongs to (absent: a stranger). */
  truth: Map<string, string>;
}

const germanFirst =
  "Thomas Michael Andreas Stefan Christian Peter Wolfgang Klaus Jürgen Frank Sebastian Florian Tobias Maximilian Lukas Jonas Felix Matthias Markus Daniel Alexander Johannes Josef Friedrich Wilhelm Dirk Holger Uwe Rainer Bernd Torsten Carsten Sven Lars Timo Dennis Marcel Patrick Philipp Moritz Niklas Leon Paul Finn Emil Anton Jakob Benedikt Konstantin Valentin Simon Fabian Dominik Sabine Susanne Andrea Petra Claudia Monika Stefanie Katharina Julia Anna Laura Lea Sophie Franziska Ursula Gabriele Helena Elisabeth Christina Cornelia Nadine Birgit Heike Karin Renate Silke Anke Tanja Sandra Nicole Melanie Jana Lisa Mia Emilia Hanna Marie Clara Greta Frieda Luisa Charlotte Johanna Paula Marlene Theresa Verena Miriam Jörg Björn Günter Käthe Jürgen Özlem Ayşe Mehmet Agnieszka Zoë René".split(
    " ",
  );
const englishFirst =
  "James John Robert Michael William David Richard Joseph Thomas Charles Daniel Matthew Anthony Edward Stephen Benjamin Oliver Samuel Nicholas Andrew Mary Jennifer Elizabeth Susan Margaret Sarah Emily Jessica Katherine Rachel Laura Emma Olivia Sophia Charlotte Amelia Hannah Chloe George Henry Harry Jack Charlie Arthur Freddie Alfie Archie Leo Oscar Theo Isla Ava Mia Grace Ella Freya Lily Poppy Evie Isabella Rosie Florence Harriet Imogen Lucy Abigail Megan".split(
    " ",
  );
const commonGerman =
  "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch Bauer Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann Lange Schmitt Werner Schmitz Krause Meier Lehmann Köhler Herrmann König Walter Huber Kaiser Fuchs Peters Scholz Möller Weiß Jung Hahn".split(
    " ",
  );
const commonEnglish =
  "Smith Jones Williams Brown Taylor Davies Wilson Evans Johnson Roberts Walker Wright Robinson Thompson White Hughes Edwards Green Hall Wood Harris Lewis Jackson Clarke".split(
    " ",
  );
const tailStarts =
  "Hasel Zaun Birn Stein Wald Kirch Ross Linden Feld Mühl Eich Brunn Holz Sommer Rosen Falken Adler Kranich Otter Ginster Hagen Lerchen Moos Tann Ufer Wiesen Dorn Espen Greif Hirsch Lauten Nessel Quell Rabe Silber Trau Weiden Zeisig Ahorn Buchen Distel Erlen Fichten Gold Hollunder Iller Kalk Lohr Marder".split(
    " ",
  );
const tailEnds =
  "bach berg könig mann huber feld meier hauser brink kamp stätter wald bühl rath ner inger thal hof reuther beck horst dorf hausen stedt leben rode au heim winkel grund".split(
    " ",
  );
const tailMiddles = ["", "en", "er", "el", "ing", "s", "e", "ers", "and", "i", "o", "ham"];
const englishStarts =
  "Ash Black Fair Holl White Thorn Raven King Ald Haw Merri Lock Winter Stan Bram Cald Ever Hallo Mar Pen".split(
    " ",
  );
const englishEnds =
  "worth wood weather ingsworth lock bury sley ridge thorne field well ton ham by more".split(" ");
const nicknamesOf: Record<string, string[]> = {
  Thomas: ["Tom", "Tommy"],
  Michael: ["Micha", "Michi", "Mike"],
  Andreas: ["Andi"],
  Sebastian: ["Basti"],
  Florian: ["Flo"],
  Alexander: ["Alex", "Sascha"],
  Johannes: ["Hans", "Jo"],
  Josef: ["Sepp"],
  Katharina: ["Kathi", "Kati"],
  Stefanie: ["Steffi"],
  Franziska: ["Franzi"],
  Susanne: ["Susi"],
  Ursula: ["Uschi"],
  Gabriele: ["Gabi"],
  Maximilian: ["Max"],
  Elisabeth: ["Lisa"],
  Helena: ["Leni", "Lena"],
  William: ["Bill", "Will"],
  Robert: ["Bob", "Rob"],
  Elizabeth: ["Liz", "Beth"],
  James: ["Jim", "Jimmy"],
  Daniel: ["Dan", "Danny"],
  Matthew: ["Matt"],
  Nicholas: ["Nick"],
  Samuel: ["Sam"],
  Katherine: ["Kate", "Katie"],
  Margaret: ["Maggie", "Meg"],
  Jennifer: ["Jenny", "Jen"],
  Richard: ["Rick"],
  Edward: ["Ed", "Eddie", "Ted"],
  Benjamin: ["Ben", "Benni"],
  Oliver: ["Olli", "Ollie"],
  Stephen: ["Steve"],
  Anthony: ["Tony"],
};
const mailDomains = [
  "gmail.com",
  "web.de",
  "gmx.de",
  "t-online.de",
  "outlook.com",
  "posteo.de",
  "yahoo.co.uk",
];
const networks = ["bluesky", "mastodon", "x", "facebook", "instagram"];

/** mulberry32: the same seed gives the same population everywhere. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ascii = (s: string) =>
  s
    .replace(/ä/g, "ae")
    .replace(/ö/g, "oe")
    .replace(/ü/g, "ue")
    .replace(/Ä/g, "Ae")
    .replace(/Ö/g, "Oe")
    .replace(/Ü/g, "Ue")
    .replace(/ß/g, "ss")
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "");
const plain = (s: string) => s.normalize("NFD").replace(/[\u0300-\u036f]/g, "");

export function generatePopulation(props: { contacts: number; authors: number; seed?: number }): Population {
  const random = rng(props.seed ?? 20261123);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const chance = (p: number) => random() < p;
  /** Zipf-like: the first entries are much more frequent. */
  const zipf = <T>(items: readonly T[]): T =>
    items[Math.min(items.length - 1, Math.floor(items.length * random() ** 2.2))]!;
  // The long tail: thousands of composed surnames, so most of them occur once, as in life.
  const compose = (starts: string[], ends: string[]) =>
    starts.flatMap((s) => tailMiddles.flatMap((m) => ends.map((e) => s + m + e)));
  const germanTail = compose(tailStarts, tailEnds);
  const englishTail = compose(englishStarts, englishEnds);

  const surname = (english: boolean) => {
    if (chance(0.5)) return zipf(english ? commonEnglish : commonGerman);
    return pick(english ? englishTail : germanTail);
  };
  const personName = () => {
    const english = chance(0.3);
    return { first: pick(english ? englishFirst : germanFirst), last: surname(english) };
  };
  const typo = (s: string) => {
    if (s.length < 4) return s;
    const i = 1 + Math.floor(random() * (s.length - 2));
    const kind = random();
    if (kind < 0.33) return s.slice(0, i) + s.slice(i + 1); // dropped letter
    if (kind < 0.66) return s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2); // swapped letters
    return s.slice(0, i) + s[i] + s.slice(i); // doubled letter
  };
  const phoneNotation = (digits: string) =>
    pick([
      `0${digits.slice(0, 3)} ${digits.slice(3)}`,
      `+49 ${digits.slice(0, 3)} ${digits.slice(3)}`,
      `0049${digits}`,
      `+49 (0) ${digits.slice(0, 3)}-${digits.slice(3)}`,
      `0${digits.slice(0, 3)}/${digits.slice(3)}`,
    ]);

  interface Person {
    id: string;
    first: string;
    last: string;
    email?: string;
    phone?: string;
  }
  const people: Person[] = [];
  const contacts: ContactForMatching[] = [];
  for (let i = 0; i < props.contacts; i += 1) {
    const { first, last } = personName();
    const id = `c${i}`;
    const person: Person = { id, first, last };
    const previous = people.at(-1);
    if (previous && previous.last === last && previous.email && chance(0.5)) {
      person.email = previous.email; // a household shares one address
    } else if (chance(0.03) && previous?.email) {
      person.last = previous.last; // a household: same surname, shared address
      person.email = previous.email;
    } else if (chance(0.7)) {
      const local = pick([
        `${first}.${last}`,
        `${first[0]}.${last}`,
        `${first}${last}${Math.floor(random() * 99)}`,
        `${last}.${first}`,
      ]);
      person.email = `${ascii(local).toLowerCase()}@${pick(mailDomains)}`;
    }
    if (chance(0.4)) person.phone = `15${String(Math.floor(random() * 1e9)).padStart(9, "0")}`;
    people.push(person);
    contacts.push({
      id,
      displayName: `${person.first} ${person.last}`,
      email: person.email ? (chance(0.2) ? person.email.toUpperCase() : person.email) : null,
      phone: person.phone ? phoneNotation(person.phone) : null,
    });
  }

  const handleFrom = (first: string, last: string) => {
    const f = ascii(first).toLowerCase();
    const l = ascii(last).toLowerCase();
    const digits = chance(0.4) ? String(Math.floor(random() * 100)) : "";
    return (
      pick([`${f}.${l}`, `${f}${l}`, `${f[0]}${l}`, `${l}.${f}`, `${f}_${l}`, `${l}${f[0]}`, `${f}${l[0]}`]) +
      digits
    );
  };
  const unrelatedHandle = () =>
    pick(["sunny", "bahnfahrer", "kaffeeliebe", "nightowl", "bergfex", "the_real", "pixel", "wanderlust"]) +
    pick(["", "_", "."]) +
    String(Math.floor(random() * 10_000));
  const atNetwork = (network: string, handle: string) =>
    network === "bluesky"
      ? `${handle.replace(/_/g, "-")}.bsky.social`
      : network === "mastodon"
        ? `${handle.replace(/\./g, "_")}@${pick(["mastodon.social", "norden.social", "chaos.social"])}`
        : handle;

  const authors: AuthorForMatching[] = [];
  const truth = new Map<string, string>();
  // About a tenth of the audience are customers; a customer has one to three accounts.
  const ownAccounts = Math.round(props.authors * 0.1);
  while (authors.length < ownAccounts) {
    const person = people[Math.floor(random() * people.length)]!;
    const id = `a${authors.length}`;
    const network = chance(0.08) ? "email" : pick(networks);
    const form = random();
    const nick = nicknamesOf[person.first];
    const displayName =
      form < 0.35
        ? `${person.first} ${person.last}`
        : form < 0.47 && nick
          ? `${pick(nick)} ${person.last}`
          : form < 0.57
            ? `${person.first} ${typo(person.last)}`
            : form < 0.65
              ? `${ascii(person.first)} ${ascii(person.last)}`
              : form < 0.7
                ? `${plain(person.first)} ${plain(person.last).replace(/ß/g, "s")}`
                : form < 0.76
                  ? `${person.last}, ${person.first}`
                  : form < 0.82
                    ? `${person.first[0]}. ${person.last}`
                    : form < 0.9
                      ? person.first
                      : form < 0.95
                        ? `${person.first.toLowerCase()} ${person.last.toLowerCase()}`
                        : pick(["☕ Kaffeejunkie", "Bahnpendlerin", "Just me", "Nordlicht"]);
    let handle = chance(0.7)
      ? handleFrom(nick && chance(0.3) ? pick(nick) : person.first, person.last)
      : unrelatedHandle();
    let email: string | undefined;
    if (network === "email") {
      handle =
        person.email ??
        `${ascii(person.first).toLowerCase()}${Math.floor(random() * 999)}@${pick(mailDomains)}`;
    } else if (chance(0.12)) {
      email =
        person.email && chance(0.7)
          ? person.email
          : `${handleFrom(person.first, person.last)}@${pick(mailDomains)}`;
    }
    const phone = person.phone && chance(0.05) ? phoneNotation(person.phone) : undefined;
    const shared = chance(0.15) ? [person.id] : [];
    if (chance(0.02)) shared.push(pick(people).id); // a thread with somebody else in it
    authors.push({
      id,
      network,
      handle: network === "email" ? handle : atNetwork(network, handle),
      displayName,
      email: email ?? null,
      phone: phone ?? null,
      sharedConversationContactIds: shared,
    });
    truth.set(id, person.id);
  }
  // Strangers: most with names from the same population, some namesakes of customers with common names.
  const commonNamed = people.filter((p) => commonGerman.includes(p.last) || commonEnglish.includes(p.last));
  while (authors.length < props.authors) {
    const id = `a${authors.length}`;
    const namesake = chance(0.2) && commonNamed.length > 0;
    const { first, last } = namesake ? pick(commonNamed) : personName();
    const network = pick(networks);
    const displayName = chance(0.85) ? `${first} ${last}` : chance(0.5) ? first : "Nordlicht";
    const handle = chance(0.75) ? handleFrom(first, last) : unrelatedHandle();
    authors.push({
      id,
      network,
      handle: atNetwork(network, handle),
      displayName,
      email: chance(0.05)
        ? `${handleFrom(first, last)}.${Math.floor(random() * 999)}@${pick(mailDomains)}`
        : null,
      phone: null,
      // Strangers sometimes write in a customer's thread.
      sharedConversationContactIds: chance(0.01) ? [pick(people).id] : [],
    });
  }
  return { contacts, authors, truth };
}

export interface Quality {
  precision: number;
  recall: number;
  predicted: number;
  correct: number;
  customerAccounts: number;
}

/** Precision and recall of the likely links (an author's best candidate at or above the certainty). */
export function measure(
  population: Population,
  candidates: Array<{ identityId: string; contactId: string; score: number }>,
  certainty: number,
): Quality {
  const best = new Map<string, { contactId: string; score: number }>();
  for (const c of candidates) {
    if (c.score < certainty) continue;
    const current = best.get(c.identityId);
    if (!current || c.score > current.score) best.set(c.identityId, c);
  }
  let correct = 0;
  for (const [authorId, c] of best) if (population.truth.get(authorId) === c.contactId) correct += 1;
  return {
    precision: best.size === 0 ? 1 : correct / best.size,
    recall: population.truth.size === 0 ? 0 : correct / population.truth.size,
    predicted: best.size,
    correct,
    customerAccounts: population.truth.size,
  };
}
