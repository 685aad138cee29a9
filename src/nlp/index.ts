/**
 * Konversa's text analysis: language, sentiment, offensive language, aspects, relevance, personal
 * data, urgency, keyphrases, and topic clustering. Pure TypeScript; weights under ./models/.
 */
import { type Analysis, type AnalyzeHints, TextAnalyzer } from "./analyze.js";
import { loadDefaultModels } from "./loader.js";
import { type LabelledText, type TaskModel, trainModel } from "./models.js";

export {
  type Analysis,
  type AnalyzeHints,
  analysedLanguages,
  type ModelSet,
  TextAnalyzer,
} from "./analyze.js";
export { crossValidate, type EvaluationReport, evaluateModel } from "./evaluation.js";
export { extractKeyphrases } from "./keyphrases.js";
export { detectableLanguages, detectLanguage, type LanguageResult } from "./language.js";
export { defaultModelDirectory, loadDefaultModels, loadModelFile, shippedModelFiles } from "./loader.js";
export { decodeModel, encodeModel, ModelFormatError } from "./modelFile.js";
export {
  type AspectResult,
  type LabelledText,
  type OffensiveType,
  type Sentiment,
  type TaskModel,
  type TrainableTask,
  type TrainModelOptions,
  trainableTasks,
  trainModel,
} from "./models.js";
export { findPii, isValidIban, type PiiPattern, type PiiSpan, validatePiiPatterns } from "./pii.js";
export { prepareText } from "./text.js";
export { type TopicAssignment, type TopicCluster, TopicClusterer, type TopicPost } from "./topics.js";
export { scoreUrgency, type UrgencyResult } from "./urgency.js";

let defaultAnalyzer: TextAnalyzer | null = null;

/** The analyzer over the shipped models, loaded on first use (tens of milliseconds). */
export function getDefaultAnalyzer(): TextAnalyzer {
  defaultAnalyzer ??= new TextAnalyzer(loadDefaultModels());
  return defaultAnalyzer;
}

/** Analyse one post with the shipped models (and the organization's, given in hints). */
export function analyze(text: string, hints?: AnalyzeHints): Analysis {
  return getDefaultAnalyzer().analyze(text, hints);
}

/** Train a listening query's relevance model from posts the organization labelled relevant or not. */
export function trainRelevance(args: {
  name: string;
  lang?: string;
  examples: readonly LabelledText[];
}): TaskModel {
  return trainModel({
    task: "relevance",
    name: args.name,
    lang: args.lang ?? "mul",
    examples: args.examples,
  });
}

/** Train an organization's aspect model on its own categories. */
export function trainAspects(args: {
  name: string;
  lang?: string;
  examples: readonly LabelledText[];
}): TaskModel {
  return trainModel({ task: "aspects", name: args.name, lang: args.lang ?? "de", examples: args.examples });
}

export function trainSentiment(args: {
  name?: string;
  lang: string;
  examples: readonly LabelledText[];
}): TaskModel {
  return trainModel({ task: "sentiment", name: args.name, lang: args.lang, examples: args.examples });
}

export function trainOffensive(args: {
  name?: string;
  lang: string;
  examples: readonly LabelledText[];
}): TaskModel {
  return trainModel({ task: "offensive", name: args.name, lang: args.lang, examples: args.examples });
}
