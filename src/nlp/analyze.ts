/**
 * One pass over a post: clean and tokenise once, detect the language, hash features once, then
 * ask every model that applies. Pure and synchronous; never throws on odd input.
 */
import {
  countFeatures,
  type FeatureConfig,
  featurize,
  type SparseVector,
  sameFeatureConfig,
} from "./features.js";
import { extractKeyphrases } from "./keyphrases.js";
import { detectLanguage, type LanguageResult } from "./language.js";
import { FusedHeads } from "./linear.js";
import {
  type AspectResult,
  type HeadLogits,
  logitsFrom,
  type OffensiveType,
  predictAspects,
  predictOffensive,
  predictRelevance,
  predictSentiment,
  type SentimentResult,
  type TaskModel,
} from "./models.js";
import { offensiveByLexicon } from "./offensiveLexicon.js";
import { findPii, type PiiPattern, type PiiSpan } from "./pii.js";
import { prepareText, type Token } from "./text.js";
import { scoreUrgency, type UrgencyResult } from "./urgency.js";

/** The models an analyzer uses, by language where a task is language-specific. */
export interface ModelSet {
  sentiment: Partial<Record<string, TaskModel>>;
  offensive: Partial<Record<string, TaskModel>>;
  aspects: Partial<Record<string, TaskModel>>;
  /** The default listening query's relevance model (shipped: a German transport brand). */
  relevance: TaskModel | null;
}

export interface AnalyzeHints {
  /** Language known from the network (ISO 639-1); skips detection. */
  lang?: string;
  /** The listening query's own relevance model (trained from the organization's labelled posts). */
  relevanceModel?: TaskModel;
  /** The organization's own aspect model (trained on its categories). */
  aspectModel?: TaskModel;
  /** Renames model categories to the organization's taxonomy; null hides a category. */
  taxonomy?: Record<string, string | null>;
  /** The organization's customer or order number patterns, reported as personal data. */
  piiPatterns?: readonly PiiPattern[];
  /** Earlier unanswered complaints by the same author, raising urgency. */
  previousComplaints?: number;
}

export interface Analysis {
  language: LanguageResult & { source: "hint" | "detected" };
  /** True when the text was longer than the analysed first 20,000 characters. */
  truncated: boolean;
  /** Characters analysed (offsets of pii spans refer to this cleaned text). */
  analysedLength: number;
  /** For de and en; null for other or undetermined languages. */
  sentiment: (SentimentResult & { model: string }) | null;
  offensive: {
    offensive: boolean;
    probability: number;
    type: OffensiveType | null;
    typeScores: Record<OffensiveType, number>;
    source: "model" | "lexicon";
  } | null;
  aspects: AspectResult[];
  relevance: { relevant: boolean; probability: number; model: string } | null;
  pii: PiiSpan[];
  urgency: UrgencyResult;
  keyphrases: string[];
}

/** Languages whose texts the analyzer goes on to classify. */
export const analysedLanguages = ["de", "en"] as const;

function applies(model: TaskModel | null | undefined, lang: string): model is TaskModel {
  return !!model && (model.lang === lang || model.lang === "mul");
}

function applyTaxonomy(
  aspects: AspectResult[],
  taxonomy: Record<string, string | null> | undefined,
): AspectResult[] {
  if (!taxonomy) return aspects;
  const merged = new Map<string, AspectResult>();
  for (const a of aspects) {
    const mapped = a.category in taxonomy ? taxonomy[a.category] : a.category;
    if (mapped === null || mapped === undefined) continue;
    const existing = merged.get(mapped);
    if (!existing || existing.score < a.score) merged.set(mapped, { ...a, category: mapped });
  }
  return [...merged.values()];
}

/** The shipped models of one language fused into one table (see FusedHeads). */
interface FusedLanguage {
  features: FeatureConfig;
  fused: FusedHeads;
  /** Position of each (model, head) in the fused output. */
  positions: Map<TaskModel, Map<string, number>>;
}

export class TextAnalyzer {
  private readonly fusedByLanguage = new Map<string, FusedLanguage>();

  constructor(readonly models: ModelSet) {
    for (const lang of analysedLanguages) {
      const candidates = [
        models.sentiment[lang],
        models.offensive[lang],
        models.aspects[lang],
        models.relevance,
      ];
      const chosen = candidates.filter((m): m is TaskModel => applies(m, lang));
      const features = chosen[0]?.features;
      if (!features) continue;
      const same = chosen.filter((m) => sameFeatureConfig(m.features, features));
      const heads = same.flatMap((m) => Object.keys(m.heads).map((h) => ({ model: m, name: h })));
      const positions = new Map<TaskModel, Map<string, number>>();
      heads.forEach(({ model, name }, i) => {
        const byHead = positions.get(model) ?? new Map<string, number>();
        byHead.set(name, i);
        positions.set(model, byHead);
      });
      const fused = new FusedHeads(
        heads.map(({ model, name }) => model.heads[name]),
        features.bits,
      );
      this.fusedByLanguage.set(lang, { features, fused, positions });
    }
  }

  analyze(raw: unknown, hints: AnalyzeHints = {}): Analysis {
    const prepared = prepareText(raw);
    const { tokens, text } = prepared;
    const language = this.language(tokens, hints.lang);
    const lang = language.code;
    const analysed = (analysedLanguages as readonly string[]).includes(lang);
    const fusedLanguage = analysed ? this.fusedByLanguage.get(lang) : undefined;
    // The shipped models share one feature configuration: count the features once, score all heads.
    const fusedLogits = fusedLanguage
      ? fusedLanguage.fused.logitsOf(countFeatures(tokens, fusedLanguage.features))
      : null;
    // Models of other configurations (an organization's own) get vectors of their own.
    const vectors: { config: FeatureConfig; vector: SparseVector }[] = [];
    const features = (model: TaskModel): SparseVector => {
      for (const v of vectors) if (sameFeatureConfig(v.config, model.features)) return v.vector;
      const vector = featurize(tokens, model.features);
      vectors.push({ config: model.features, vector });
      return vector;
    };
    const logits = (model: TaskModel): HeadLogits => {
      const positions = fusedLanguage?.positions.get(model);
      if (!fusedLogits || !positions) return logitsFrom(model, features(model));
      return (head) => fusedLogits[positions.get(head)!];
    };

    const sentimentModel = analysed ? this.models.sentiment[lang] : undefined;
    let sentiment: Analysis["sentiment"] = null;
    if (sentimentModel) {
      const { label, scores } = predictSentiment(sentimentModel, logits(sentimentModel));
      sentiment = { label, scores, model: sentimentModel.name };
    }

    let offensive: Analysis["offensive"] = null;
    const offensiveModel = analysed ? this.models.offensive[lang] : undefined;
    // Built field by field (not spread): same keys in the same order, without a generic copy.
    if (offensiveModel) {
      const o = predictOffensive(offensiveModel, logits(offensiveModel));
      offensive = {
        offensive: o.offensive,
        probability: o.probability,
        type: o.type,
        typeScores: o.typeScores,
        source: "model",
      };
    } else if (lang === "en") {
      const lexical = offensiveByLexicon(tokens);
      offensive = {
        probability: lexical.probability,
        type: lexical.type,
        typeScores: lexical.typeScores,
        offensive: lexical.probability >= 0.5,
        source: "lexicon",
      };
    }

    const aspectModel = hints.aspectModel ?? this.models.aspects[lang];
    const aspects = applies(aspectModel, lang)
      ? applyTaxonomy(predictAspects(aspectModel, logits(aspectModel)), hints.taxonomy)
      : [];

    const relevanceModel = hints.relevanceModel ?? this.models.relevance;
    let relevance: Analysis["relevance"] = null;
    if (applies(relevanceModel, lang)) {
      const { relevant, probability } = predictRelevance(relevanceModel, logits(relevanceModel));
      relevance = { relevant, probability, model: relevanceModel.name };
    }

    const urgency = scoreUrgency({
      tokens,
      negative: sentiment ? sentiment.scores.negative : null,
      offensive: offensive ? offensive.probability : null,
      previousComplaints: hints.previousComplaints,
    });

    return {
      language,
      truncated: prepared.truncated,
      analysedLength: text.length,
      sentiment,
      offensive,
      aspects,
      relevance,
      pii: findPii(text, hints.piiPatterns),
      urgency,
      keyphrases: extractKeyphrases({ text, tokens }),
    };
  }

  private language(tokens: readonly Token[], hint: string | undefined): Analysis["language"] {
    if (typeof hint === "string" && /^[a-z]{2,3}$/i.test(hint)) {
      return { code: hint.toLowerCase(), confidence: 1, scores: { [hint.toLowerCase()]: 1 }, source: "hint" };
    }
    const { code, confidence, scores } = detectLanguage(tokens);
    return { code, confidence, scores, source: "detected" };
  }
}
