/**
 * Turning the public datasets' own record shapes into Konversa training lines
 * (`{"text", "label"}` or `{"text", "labels": [{category, polarity}]}`). Pure: the CLI reads and writes.
 */
import type { LabelledText, TrainableTask } from "./models.js";

export const datasetNames = [
  "germeval2017-sentiment",
  "germeval2017-relevance",
  "germeval2017-aspects",
  "germeval2018-offensive",
  "airline-sentiment",
] as const;
export type DatasetName = (typeof datasetNames)[number];

export const datasetTask: Record<DatasetName, TrainableTask> = {
  "germeval2017-sentiment": "sentiment",
  "germeval2017-relevance": "relevance",
  "germeval2017-aspects": "aspects",
  "germeval2018-offensive": "offensive",
  "airline-sentiment": "sentiment",
};

export const datasetLang: Record<DatasetName, string> = {
  "germeval2017-sentiment": "de",
  "germeval2017-relevance": "de",
  "germeval2017-aspects": "de",
  "germeval2018-offensive": "de",
  "airline-sentiment": "en",
};

/**
 * GermEval 2017 aspect categories (before "#") → the shipped taxonomy's names. An organization
 * keeps these or maps them onto its own with a taxonomy, or trains its own categories.
 */
export const germeval2017Categories: Record<string, string> = {
  Allgemein: "general",
  Sonstige_Unregelmässigkeiten: "disruption",
  Informationen: "information",
  Zugfahrt: "ride",
  Service_und_Kundenbetreuung: "service",
  Atmosphäre: "atmosphere",
  Ticketkauf: "tickets_and_prices",
  Sicherheit: "safety",
  Image: "image",
  Connectivity: "connectivity",
  Auslastung_und_Platzangebot: "crowding",
  "QR-Code": "qr_code",
  Barrierefreiheit: "accessibility",
  Komfort_und_Ausstattung: "comfort",
  Reisen_mit_Kindern: "travel_with_children",
  DB_App_und_Website: "app_and_website",
  Gepäck: "luggage",
  Design: "design",
  Toiletten: "toilets",
  Gastronomisches_Angebot: "catering",
};

type DatasetRecord = Record<string, unknown>;

/** One dataset record as a training line, or null when the record lacks what the task needs. */
export function toTrainingLine(dataset: DatasetName, record: DatasetRecord): LabelledText | null {
  const text = typeof record.text === "string" ? record.text : null;
  if (text === null) return null;
  const lang = datasetLang[dataset];
  switch (dataset) {
    case "germeval2017-sentiment":
    case "airline-sentiment":
      return typeof record.sentiment === "string" ? { text, label: record.sentiment, lang } : null;
    case "germeval2017-relevance":
      return typeof record.relevance === "boolean" ? { text, label: record.relevance, lang } : null;
    case "germeval2017-aspects": {
      // Aspects are only annotated on relevant documents; irrelevant ones would teach "no aspect" wrongly.
      if (record.relevance !== true || !Array.isArray(record.aspects)) return null;
      const labels = (record.aspects as DatasetRecord[]).map((a) => {
        const raw = String(a.category ?? "").split("#")[0];
        return {
          category: germeval2017Categories[raw] ?? raw.toLowerCase(),
          polarity: String(a.polarity ?? "neutral"),
        };
      });
      return { text, labels, lang };
    }
    case "germeval2018-offensive": {
      const fine = typeof record.fine === "string" ? record.fine.toLowerCase() : null;
      if (fine === null) return null;
      return { text, label: fine === "other" ? "none" : fine, lang };
    }
  }
}

/** How each shipped model is rebuilt from ../shared/data (paths relative to that folder). */
export interface ShippedModelRecipe {
  file: string;
  name: string;
  task: TrainableTask;
  lang: string;
  dataset: DatasetName;
  inputs: string[];
}

const germeval2017Files = ["germeval2017/dev.jsonl", "germeval2017/test_diachronic.jsonl"];

export const shippedModelRecipes: ShippedModelRecipe[] = [
  {
    file: "sentiment-de.kvnlp",
    name: "sentiment-de",
    task: "sentiment",
    lang: "de",
    dataset: "germeval2017-sentiment",
    inputs: germeval2017Files,
  },
  {
    file: "sentiment-en.kvnlp",
    name: "sentiment-en",
    task: "sentiment",
    lang: "en",
    dataset: "airline-sentiment",
    inputs: ["airline-tweets/train.jsonl"],
  },
  {
    file: "offensive-de.kvnlp",
    name: "offensive-de",
    task: "offensive",
    lang: "de",
    dataset: "germeval2018-offensive",
    inputs: ["germeval2018/train.jsonl"],
  },
  {
    file: "aspects-de.kvnlp",
    name: "aspects-de",
    task: "aspects",
    lang: "de",
    dataset: "germeval2017-aspects",
    inputs: germeval2017Files,
  },
  {
    file: "relevance-transport-brand.kvnlp",
    name: "relevance-transport-brand",
    task: "relevance",
    lang: "de",
    dataset: "germeval2017-relevance",
    inputs: germeval2017Files,
  },
];
