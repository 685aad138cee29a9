/**
 * Language identification for short social posts: frequent function words, letters only some
 * alphabets use, and typical word endings. Rules rather than a learnt model because we ship no
 * corpora for the languages besides German and English; measured on the German and English sets.
 */
import { type Token, wordFacts } from "./text.js";

export const detectableLanguages = ["de", "en", "fr", "es", "it", "nl", "pt", "tr", "pl"] as const;
export type DetectableLanguage = (typeof detectableLanguages)[number];

export interface LanguageResult {
  /** ISO 639-1 code, or "und" (undetermined) when the text gives no evidence. */
  code: string;
  confidence: number;
  /** Normalised evidence per language (sums to 1 when any evidence was found). */
  scores: Record<string, number>;
}

const words: Record<DetectableLanguage, string> = {
  de: "der die das und ist nicht ich zu den mit von sich des auf für im dem ein eine einen einem einer auch es an als wie bei nach wir noch aber wird mal schon wieder immer hat haben sind war mir mich du was wenn nur jetzt heute doch kein keine keinen bahn zug züge man oder um aus dass da sie er hier gibt habe bin bitte danke warum ja nein uns euch ihr seit vom zum zur über gleich minuten verspätung fahrt wo wer weil sehr geht kann muss mehr gut ab bis durch ohne gegen alle alles diese dieser ganz dann nun echt leider toll super hallo moin servus grüße geil scheiße fahren zugfahrt ice s-bahn bahnhof vielen lieben dank sagt zu sehen braucht reden einfach viel viele neue neuen nennt hatte hätte würde werden wurde sein seine ihre mein meine dein deine kommt fährt steht sagen gerade morgen gestern endlich wegen zwischen unter vor selbst etwas nichts dies diesen dieses wieso weshalb natürlich eigentlich trotzdem deutsche deutschen deutschland stadt leute frau herr kinder geld zeit tag jahr woche fahrgäste schaffner zugbegleiter",
  en: "the and to of is it you that for on my with this was i me be are have not but at your just we so can get what from they will our an or do all been thanks thank please why how when there would im i'm it's don't can't didn't won't u flight plane time bag out up about one if got any help great love late delayed cancelled waiting hold call hours hour still again now service customer us by he she who has had yes yet did does am really good bad worst best never ever today tomorrow back need want know because much very some than then that's i've i'll you're we're they're there's what's thx thnx lol omg hi hey go going off over new via like make made see sees day week next last first trip seat seats gate airline airport crew staff guys agent luggage baggage fly flying flights ticket booking stuck missed refund",
  fr: "le la les de des du et est un une je pas que qui pour dans sur avec ne ce il elle nous vous mais ou au aux très merci bonjour c'est j'ai mon ma mes son sa sont être avoir fait plus tout retard toujours aussi bien rien encore peut comme",
  es: "el la los las de del y que en un una es por con para no se lo su al como más pero muy está estoy hola gracias yo mi tu tiene hay ya también qué porque cuando todo este esta eso son fue ser tren nada siempre",
  it: "il lo la gli le di del della che e è un una per non con sono mi ti ma come anche più questo questa grazie ciao ho hai ha nel nella alla al dei delle molto perché treno ritardo sempre ancora cosa tutto essere",
  nl: "de het een en van ik je niet dat is op te met voor zijn er maar om ook als bij nog wel geen naar wat heb hebben kan dit deze die mijn uit dank bedankt trein vertraging heel weer zo jullie wij zijn hoe waarom altijd",
  pt: "o a os as de do da dos das e que em um uma não é para com por no na se mais mas como muito obrigado obrigada eu você está estou tem foi meu minha isso isto também já são trem atraso sempre nada",
  tr: "ve bir bu da de için ile çok ne mi mı ben sen var yok ama gibi daha değil olarak kadar şey teşekkür teşekkürler merhaba nasıl neden şimdi tren hiç her sonra olan diye bana beni sizin bizim",
  pl: "i w z na się nie to jest że do o jak ale po co tak za od już jestem mnie mi ten ta czy dla bardzo dziękuję dzień dobry tylko jeszcze pociąg był była może przez są jak zawsze",
};

const wordIndex = new Map<string, DetectableLanguage[]>();
for (const lang of detectableLanguages) {
  for (const w of words[lang].split(" ")) {
    const list = wordIndex.get(w) ?? [];
    if (!list.includes(lang)) list.push(lang);
    wordIndex.set(w, list);
  }
}

/** Letters that point to few languages; their weight is shared among those languages. */
const letterCues: [string, DetectableLanguage[]][] = [
  ["ß", ["de"]],
  ["ä", ["de"]],
  ["ö", ["de", "tr"]],
  ["ü", ["de", "tr"]],
  ["ñ", ["es"]],
  ["¿", ["es"]],
  ["¡", ["es"]],
  ["ã", ["pt"]],
  ["õ", ["pt"]],
  ["ç", ["fr", "pt", "tr"]],
  ["é", ["fr", "es", "pt"]],
  ["è", ["fr", "it"]],
  ["ê", ["fr", "pt"]],
  ["à", ["fr", "it"]],
  ["ù", ["fr", "it"]],
  ["ò", ["it"]],
  ["ì", ["it"]],
  ["œ", ["fr"]],
  ["ğ", ["tr"]],
  ["ı", ["tr"]],
  ["ş", ["tr"]],
  ["ą", ["pl"]],
  ["ę", ["pl"]],
  ["ł", ["pl"]],
  ["ś", ["pl"]],
  ["ź", ["pl"]],
  ["ż", ["pl"]],
  ["ć", ["pl"]],
  ["ń", ["pl"]],
];
const letterIndex = new Map(letterCues);

const endings: [RegExp, DetectableLanguage, number][] = [
  [/(ung|ungen|keit|heit|lich|isch|chen|schaft|ieren)$/, "de", 0.6],
  [/^(ge|ver|be|zer)\p{L}{3,}(t|en)$/u, "de", 0.3],
  [/sch|tz|pf/, "de", 0.25],
  [/(ing|tion|ness|ly|ed)$/, "en", 0.4],
  [/^(th|wh)|ght/, "en", 0.4],
  [/(eux|eur|ment|ais|ait|oir)$/, "fr", 0.4],
  [/(ción|mente|ado|ados|idad)$/, "es", 0.4],
  [/(zione|mente|etto|ella|tutti)$/, "it", 0.4],
  [/(ij|ijk|heid|tje|oe|aa|ee|uu)/, "nl", 0.3],
  [/(ção|ções|mente|inho|inha)$/, "pt", 0.4],
  [/(lar|ler|lık|lik|yor|miş)$/, "tr", 0.4],
  [/(ość|cie|ski|ów|rz|cz|sz)/, "pl", 0.3],
];

const nonAscii = /[^\x00-\x7f]/;
const languageNumber = new Map<string, number>(detectableLanguages.map((l, i) => [l, i]));

/** Evidence of one word (lower-cased) as (language number, weight) pairs; kept with the word's cached facts. */
function wordEvidence(w: string): Float64Array {
  const found: [string, number][] = [];
  const langs = wordIndex.get(w);
  // One-letter words ("a", "i", "w", "z") are too common across languages to weigh fully.
  if (langs) for (const l of langs) found.push([l, (w.length === 1 ? 0.3 : 1) / langs.length]);
  if (nonAscii.test(w)) {
    for (let i = 0; i < w.length; i++) {
      const cue = letterIndex.get(w[i]);
      if (cue) for (const l of cue) found.push([l, 0.5 / cue.length]);
    }
  }
  if (w.length >= 4)
    for (const [pattern, lang, weight] of endings) if (pattern.test(w)) found.push([lang, weight]);
  return Float64Array.from(found.flatMap(([lang, weight]) => [languageNumber.get(lang) as number, weight]));
}

const noEvidence: LanguageResult = { code: "und", confidence: 0, scores: {} };

/** Scratch per detectable language, in the order languages first showed evidence. */
const score = new Float64Array(detectableLanguages.length);
const seenOrder: number[] = [];

export function detectLanguage(tokens: readonly Token[]): LanguageResult {
  score.fill(0);
  seenOrder.length = 0;
  let evidence = 0;
  let wordsSeen = 0;
  for (const token of tokens) {
    if (token.kind !== "word" && token.kind !== "hashtag") continue;
    // Long posts say enough in their first 100 words; the rest only costs time.
    if (++wordsSeen > 100) break;
    const facts = wordFacts(token.kind === "hashtag" ? token.surface.slice(1) : token.surface);
    facts.languageEvidence ??= wordEvidence(
      token.kind === "hashtag" ? token.surface.slice(1).toLowerCase() : token.surface.toLowerCase(),
    );
    const found = facts.languageEvidence;
    for (let i = 0; i < found.length; i += 2) {
      const n = found[i];
      const weight = found[i + 1];
      if (score[n] === 0) seenOrder.push(n);
      score[n] += weight;
      evidence += weight;
    }
  }
  if (evidence < 0.5) return noEvidence;
  let best = "und";
  let bestScore = 0;
  let second = 0;
  for (const n of seenOrder) {
    const s = score[n];
    if (s > bestScore) {
      second = bestScore;
      bestScore = s;
      best = detectableLanguages[n];
    } else if (s > second) second = s;
  }
  const scores: Record<string, number> = {};
  for (const n of seenOrder) scores[detectableLanguages[n]] = score[n] / evidence;
  // Confident when one language clearly leads and there is enough evidence at all.
  const margin = (bestScore - second) / bestScore;
  const amount = 1 - Math.exp(-bestScore / 1.5);
  return { code: best, confidence: Math.round(margin * amount * 1000) / 1000, scores };
}
