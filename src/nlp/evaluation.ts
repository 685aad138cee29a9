/** Measuring a task model on labelled texts, and k-fold cross-validation of its training. */
import type { FeatureConfig } from "./features.js";
import type { TrainingOptions } from "./linear.js";
import {
  type ClassificationReport,
  classificationReport,
  type MultiLabelReport,
  multiLabelReport,
} from "./metrics.js";
import {
  type LabelledText,
  logitsFrom,
  normalizeOffensiveLabel,
  normalizeRelevanceLabel,
  normalizeSentimentLabel,
  predictAspects,
  predictOffensive,
  predictRelevance,
  predictSentiment,
  type TaskModel,
  type TrainableTask,
  trainModel,
  vectorize,
} from "./models.js";
import { seededRandom, shuffleInPlace } from "./random.js";

export interface EvaluationReport {
  task: TrainableTask;
  /** Single-label view: sentiment labels, relevant true/false, offensive yes/no. */
  main: ClassificationReport | null;
  /** Offensive: the type (abuse/insult/profanity/none). */
  fine: ClassificationReport | null;
  /** Aspects: categories as sets. */
  categories: MultiLabelReport | null;
  /** Aspects: category:polarity pairs as sets. */
  categoriesWithPolarity: MultiLabelReport | null;
}

interface Predictions {
  gold: string[];
  predicted: string[];
  goldFine: string[];
  predictedFine: string[];
  goldSets: string[][];
  predictedSets: string[][];
  goldPairs: string[][];
  predictedPairs: string[][];
}

function emptyPredictions(): Predictions {
  return {
    gold: [],
    predicted: [],
    goldFine: [],
    predictedFine: [],
    goldSets: [],
    predictedSets: [],
    goldPairs: [],
    predictedPairs: [],
  };
}

function collect(model: TaskModel, examples: readonly LabelledText[], into: Predictions): void {
  for (const e of examples) {
    const x = logitsFrom(model, vectorize(e.text, model.features));
    if (model.task === "sentiment") {
      const gold = normalizeSentimentLabel(e.label);
      if (gold === null) continue;
      into.gold.push(gold);
      into.predicted.push(predictSentiment(model, x).label);
    } else if (model.task === "offensive") {
      const gold = normalizeOffensiveLabel(e.label);
      if (gold === null) continue;
      const result = predictOffensive(model, x);
      into.gold.push(gold === "none" ? "none" : "offensive");
      into.predicted.push(result.offensive ? "offensive" : "none");
      if (gold !== "offensive") {
        into.goldFine.push(gold);
        into.predictedFine.push(result.type ?? "none");
      }
    } else if (model.task === "relevance") {
      const gold = normalizeRelevanceLabel(e.label);
      if (gold === null) continue;
      into.gold.push(String(gold));
      into.predicted.push(String(predictRelevance(model, x).relevant));
    } else {
      const aspects = predictAspects(model, x);
      const known = new Set(model.heads.category.labels);
      const labels = (e.labels ?? []).filter((l) => known.has(l.category));
      into.goldSets.push([...new Set(labels.map((l) => l.category))]);
      into.predictedSets.push(aspects.map((a) => a.category));
      into.goldPairs.push([
        ...new Set(labels.map((l) => `${l.category}:${normalizeSentimentLabel(l.polarity ?? "neutral")}`)),
      ]);
      into.predictedPairs.push(aspects.map((a) => `${a.category}:${a.polarity}`));
    }
  }
}

function report(task: TrainableTask, p: Predictions): EvaluationReport {
  return {
    task,
    main: p.gold.length ? classificationReport(p.gold, p.predicted) : null,
    fine: p.goldFine.length ? classificationReport(p.goldFine, p.predictedFine) : null,
    categories: p.goldSets.length ? multiLabelReport(p.goldSets, p.predictedSets) : null,
    categoriesWithPolarity: p.goldPairs.length ? multiLabelReport(p.goldPairs, p.predictedPairs) : null,
  };
}

export function evaluateModel(model: TaskModel, examples: readonly LabelledText[]): EvaluationReport {
  const p = emptyPredictions();
  collect(model, examples, p);
  return report(model.task, p);
}

export interface CrossValidationOptions {
  task: TrainableTask;
  examples: readonly LabelledText[];
  folds: number;
  lang?: string;
  features?: FeatureConfig;
  training?: Partial<TrainingOptions>;
  calibrationFolds?: number;
  /** Called after each fold, for progress output. */
  onFold?: (fold: number) => void;
}

/** Pooled out-of-fold predictions of k models, each trained exactly as the shipped one is. */
export function crossValidate(options: CrossValidationOptions): EvaluationReport {
  const order = shuffleInPlace(
    Array.from({ length: options.examples.length }, (_, i) => i),
    seededRandom(4242),
  );
  const p = emptyPredictions();
  for (let f = 0; f < options.folds; f++) {
    const train: LabelledText[] = [];
    const test: LabelledText[] = [];
    order.forEach((i, position) => {
      (position % options.folds === f ? test : train).push(options.examples[i]);
    });
    const model = trainModel({
      task: options.task,
      examples: train,
      lang: options.lang,
      features: options.features,
      training: options.training,
      calibrationFolds: options.calibrationFolds,
    });
    collect(model, test, p);
    options.onFold?.(f);
  }
  return report(options.task, p);
}
