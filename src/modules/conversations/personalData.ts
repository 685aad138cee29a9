import { analyze } from "../../nlp/index.js";

/** Where personal data sits in a text: the type and the offsets into the analysed text. */
export interface PersonalDataSpan {
  type: string;
  start: number;
  end: number;
}

/**
 * The text analysis of a message, reduced to what the inbox acts on. The spans leave out the
 * matched text itself, so an answer about personal data never repeats it.
 */
export function inspectMessage(text: string) {
  const analysis = analyze(text);
  const spans: PersonalDataSpan[] = analysis.pii.map(({ type, start, end }) => ({ type, start, end }));
  return {
    spans,
    containsPersonalData: spans.length > 0,
    urgency: analysis.urgency.score,
    sentiment: analysis.sentiment?.label ?? null,
    language: analysis.language.code === "und" ? null : analysis.language.code,
  };
}
