import { type Analysis, analyze } from "../nlp/index.js";
import type { NormalizedPost } from "../platform/posts/normalizedPost.js";
import type { PostAnalysis } from "./postIngester.js";

/** Turns the engine's full analysis into the columns a mention keeps. */
export function toPostAnalysis(analysis: Analysis): PostAnalysis {
  const sentiment = analysis.sentiment?.label ?? "neutral";
  return {
    language: analysis.language.code,
    sentiment,
    sentimentScore: analysis.sentiment?.scores[sentiment] ?? 0,
    offensiveScore: analysis.offensive?.probability ?? 0,
    offensiveType: analysis.offensive?.offensive ? analysis.offensive.type : null,
    urgency: analysis.urgency.score,
    hasPii: analysis.pii.length > 0,
    // The engine scores every category; a mention is about those it is more likely about than not.
    aspects: analysis.aspects
      .filter((a) => a.score >= 0.5)
      .map((a) => ({ category: a.category, polarity: a.polarity, score: a.score })),
    keyphrases: analysis.keyphrases,
  };
}

/** Analyses a post with the shipped models; the network's language hint wins over detection. */
export function analyzePost(post: NormalizedPost): PostAnalysis {
  return toPostAnalysis(analyze(post.text, post.languageHint ? { lang: post.languageHint } : undefined));
}
