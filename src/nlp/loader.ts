/** Reading model files from disk: the only I/O of the text-analysis engine, done once at start. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ModelSet } from "./analyze.js";
import { decodeModel } from "./modelFile.js";
import type { TaskModel } from "./models.js";

/** Where the shipped models live (beside this module, also after the build copies them). */
export const defaultModelDirectory = fileURLToPath(new URL("./models/", import.meta.url));

/** File names of the shipped models, by role. */
export const shippedModelFiles = {
  sentimentDe: "sentiment-de.kvnlp",
  sentimentEn: "sentiment-en.kvnlp",
  offensiveDe: "offensive-de.kvnlp",
  aspectsDe: "aspects-de.kvnlp",
  relevance: "relevance-transport-brand.kvnlp",
} as const;

export function loadModelFile(path: string): TaskModel {
  return decodeModel(new Uint8Array(readFileSync(path)));
}

export function loadDefaultModels(directory: string = defaultModelDirectory): ModelSet {
  const load = (file: string) => loadModelFile(`${directory.replace(/\/?$/, "/")}${file}`);
  return {
    sentiment: { de: load(shippedModelFiles.sentimentDe), en: load(shippedModelFiles.sentimentEn) },
    offensive: { de: load(shippedModelFiles.offensiveDe) },
    aspects: { de: load(shippedModelFiles.aspectsDe) },
    relevance: load(shippedModelFiles.relevance),
  };
}
