/**
 * Building blocks of the demo organization "Nordbahn", a fictional rail operator whose customers
 * write in German and English. Written for Konversa; no dataset is copied here.
 */
export const demoBrand = { name: "Nordbahn Demo", slug: "demo" };

export const demoChannels = [
  { type: "bluesky", name: "@nordbahn.bsky.social" },
  { type: "mastodon", name: "@nordbahn@social.example" },
  { type: "email", name: "service@nordbahn.example" },
  { type: "webchat", name: "Web-Chat nordbahn.example" },
  { type: "x", name: "@Nordbahn" },
] as const;

export const firstNames = [
  "Anna",
  "Lukas",
  "Mia",
  "Jonas",
  "Lea",
  "Felix",
  "Sophie",
  "Paul",
  "Marie",
  "Leon",
  "Emma",
  "Finn",
  "Hannah",
  "Elias",
  "Lina",
  "Noah",
  "Clara",
  "Ben",
  "Ida",
  "Jakob",
  "Olivia",
  "James",
  "Emily",
  "Oliver",
  "Amelia",
  "Henry",
  "Aylin",
  "Mehmet",
  "Zofia",
  "Marco",
  "Giulia",
  "Sven",
  "Ingrid",
  "Tobias",
  "Katrin",
  "Jörg",
  "Sabine",
  "Uwe",
];
export const lastNames = [
  "Müller",
  "Schmidt",
  "Schneider",
  "Fischer",
  "Weber",
  "Meyer",
  "Wagner",
  "Becker",
  "Schulz",
  "Hoffmann",
  "Koch",
  "Richter",
  "Klein",
  "Wolf",
  "Schröder",
  "Neumann",
  "Braun",
  "Zimmermann",
  "Krüger",
  "Hartmann",
  "Smith",
  "Brown",
  "Taylor",
  "Wilson",
  "Yılmaz",
  "Kowalski",
  "Rossi",
  "Lange",
  "Schuster",
  "Vogel",
];
export const cities = [
  "Hamburg",
  "Berlin",
  "Hannover",
  "Bremen",
  "Kiel",
  "Lübeck",
  "Rostock",
  "Schwerin",
  "Köln",
  "München",
];

export type Sentiment = "negative" | "neutral" | "positive";

export interface DemoThread {
  lang: "de" | "en";
  department: "service" | "marketing" | "sales" | "rnd" | "hr" | "communications";
  sentiment: Sentiment;
  subject: string;
  /** Customer and agent turns, customer first; {city}, {city2}, {train}, {minutes}, {name} are filled in. */
  turns: string[];
}

export const demoThreads: DemoThread[] = [
  {
    lang: "de",
    department: "service",
    sentiment: "negative",
    subject: "RE {train} schon wieder verspätet",
    turns: [
      "@nordbahn Der RE {train} von {city} nach {city2} hat schon wieder {minutes} Minuten Verspätung. Dritte Woche in Folge, ich komme jeden Tag zu spät zur Arbeit!",
      "Hallo {name}, das tut uns leid. Grund ist eine Signalstörung bei {city2}. Die Fahrgastrechte-Entschädigung können Sie online beantragen. Viele Grüße, {agent}",
      "Danke für die schnelle Antwort, aber langsam reicht es wirklich.",
    ],
  },
  {
    lang: "de",
    department: "rnd",
    sentiment: "negative",
    subject: "App stürzt beim Ticketkauf ab",
    turns: [
      "Eure App stürzt jedes Mal ab, wenn ich ein Ticket kaufen will. Android 14, neueste Version. Sehr ärgerlich!",
      "Hallo {name}, danke für den Hinweis! Unser App-Team kennt das Problem, ein Update kommt diese Woche. Bis dahin klappt der Kauf im Browser. {agent}",
    ],
  },
  {
    lang: "de",
    department: "service",
    sentiment: "positive",
    subject: "Lob für die Zugbegleiterin",
    turns: [
      "Großes Lob an die Zugbegleiterin im RE {train} heute Morgen – super freundlich und hat allen beim Umstieg in {city} geholfen. Danke!",
      "Vielen Dank, {name}! Wir geben Ihr Lob gern an das Team in {city} weiter. {agent}",
    ],
  },
  {
    lang: "de",
    department: "sales",
    sentiment: "neutral",
    subject: "Frage zum Deutschlandticket im Abo",
    turns: [
      "Kann ich mein Deutschlandticket-Abo auch zum 15. kündigen oder nur zum Monatsende?",
      "Hallo {name}, die Kündigung ist jeweils zum Monatsende möglich, spätestens am 10. des Monats. {agent}",
      "Alles klar, danke!",
    ],
  },
  {
    lang: "de",
    department: "service",
    sentiment: "negative",
    subject: "Erstattung seit Wochen nicht da",
    turns: [
      "Ich warte seit sechs Wochen auf meine Erstattung für den ausgefallenen Zug nach {city2}. Auf E-Mails antwortet niemand. Das ist unmöglich!",
      "Hallo {name}, das sollte nicht so lange dauern. Bitte schreiben Sie uns Ihre Vorgangsnummer per Direktnachricht, dann kümmern wir uns sofort darum. {agent}",
    ],
  },
  {
    lang: "de",
    department: "service",
    sentiment: "negative",
    subject: "Klimaanlage im Zug kaputt",
    turns: [
      "Im RE {train} ist schon wieder die Klimaanlage ausgefallen. 35 Grad im Wagen, Kinder weinen. Bitte tut was!!!",
    ],
  },
  {
    lang: "de",
    department: "marketing",
    sentiment: "positive",
    subject: "Neue Fahrradabteile",
    turns: [
      "Die neuen Fahrradabteile in den Zügen nach {city2} sind richtig gut gemacht. Endlich genug Platz 🚲👍",
      "Das freut uns sehr, {name}! Gute Fahrt! {agent}",
    ],
  },
  {
    lang: "de",
    department: "service",
    sentiment: "neutral",
    subject: "WLAN im Zug",
    turns: ["Gibt es im RE zwischen {city} und {city2} eigentlich WLAN? Finde nichts dazu auf der Website."],
  },
  {
    lang: "de",
    department: "hr",
    sentiment: "neutral",
    subject: "Bewerbung als Lokführer",
    turns: [
      "Hallo, ich interessiere mich für die Ausbildung zum Lokführer bei euch. Wie läuft das Bewerbungsverfahren ab?",
      "Hallo {name}, schön, dass Sie sich interessieren! Alle Infos und das Formular finden Sie auf unserer Karriereseite. {agent}",
    ],
  },
  {
    lang: "de",
    department: "service",
    sentiment: "negative",
    subject: "Zugausfall ohne Ansage",
    turns: [
      "Zug nach {city2} einfach ausgefallen, keine Ansage, keine Info in der App. Wir stehen hier seit 40 Minuten am Bahnsteig in {city}.",
      "Hallo {name}, das tut uns sehr leid. Der nächste Zug fährt um 17:42 von Gleis 3. Wir prüfen, warum die Info in der App fehlte. {agent}",
    ],
  },
  {
    lang: "de",
    department: "communications",
    sentiment: "neutral",
    subject: "Presseanfrage Fahrplanwechsel",
    turns: [
      "Guten Tag, für einen Artikel zum Fahrplanwechsel hätte ich Fragen zu den neuen Verbindungen nach {city2}. An wen kann ich mich wenden?",
    ],
  },
  {
    lang: "de",
    department: "sales",
    sentiment: "negative",
    subject: "Preiserhöhung zu hoch",
    turns: [
      "Schon wieder teurer? Für die Strecke {city}–{city2} zahle ich jetzt 12 % mehr, und der Zug ist trotzdem jeden Tag zu spät.",
    ],
  },
  {
    lang: "en",
    department: "service",
    sentiment: "negative",
    subject: "Missed my connection in {city}",
    turns: [
      "@Nordbahn your train {train} was {minutes} minutes late and I missed my connection in {city}. Nobody at the station could help. Really disappointed.",
      "Hi {name}, we're sorry about your journey. You're entitled to compensation – please send us a direct message with your booking number. {agent}",
      "Thanks, sent it.",
    ],
  },
  {
    lang: "en",
    department: "rnd",
    sentiment: "negative",
    subject: "App won't accept my credit card",
    turns: [
      "The Nordbahn app keeps rejecting my credit card at checkout, three times now. Other apps work fine. Any idea?",
      "Hi {name}, thanks for letting us know. Our app team is looking into card payments on iOS right now. Could you try PayPal meanwhile? {agent}",
    ],
  },
  {
    lang: "en",
    department: "service",
    sentiment: "positive",
    subject: "Great trip to {city2}",
    turns: [
      "Lovely trip from {city} to {city2} today with Nordbahn – on time, clean and the staff were super helpful. 👏",
    ],
  },
  {
    lang: "en",
    department: "sales",
    sentiment: "neutral",
    subject: "Group tickets for 12 people",
    turns: [
      "Hello, we are a group of 12 travelling from {city} to {city2} next month. Do you offer group discounts?",
      "Hi {name}, yes – groups of 6 or more get 30 % off. You can book them on our website under 'Group travel'. {agent}",
    ],
  },
  {
    lang: "en",
    department: "service",
    sentiment: "negative",
    subject: "Still no refund",
    turns: [
      "Still no refund after 5 weeks. I've emailed three times. This is ridiculous, I want my money back NOW!",
    ],
  },
  {
    lang: "en",
    department: "marketing",
    sentiment: "neutral",
    subject: "Photo of the new trains",
    turns: [
      "Spotted one of the new Nordbahn trains in {city} today, looks sleek. When do they go into regular service?",
    ],
  },
];
