/**
 * Grouping a stream of posts into topics: near-duplicates and posts about the same issue land in
 * one cluster with a readable label. Incremental (online single-pass clustering on TF-IDF
 * cosine) so the pipeline can add posts as they arrive and ask for the clusters at any time.
 */
import { extractKeyphrases } from "./keyphrases.js";
import { stopwords } from "./stopwords.js";
import { prepareText } from "./text.js";

export interface TopicClustererOptions {
  /** Cosine similarity to a cluster's centre needed to join it (0..1). */
  similarity?: number;
  /** Cosine similarity to an earlier post above which a post counts as its near-duplicate. */
  duplicateSimilarity?: number;
}

export interface TopicPost {
  id: string;
  text: string;
}

export interface TopicAssignment {
  clusterId: number;
  /** The earlier post this one nearly repeats, if any. */
  duplicateOf: string | null;
}

export interface TopicCluster {
  id: number;
  label: string;
  size: number;
  postIds: string[];
  /** Ids of posts that nearly repeat another post of the cluster. */
  duplicateIds: string[];
  terms: string[];
}

type TermVector = Map<string, number>;

interface ClusterState {
  id: number;
  centroid: Map<string, number>;
  postIds: string[];
  duplicateIds: string[];
  /** A few member vectors to recognise near-duplicates. */
  exemplars: { id: string; vector: TermVector }[];
  phrases: Map<string, { text: string; count: number }>;
}

const maxExemplars = 20;

export class TopicClusterer {
  private readonly similarity: number;
  private readonly duplicateSimilarity: number;
  private readonly clustersById: ClusterState[] = [];
  private readonly documentFrequency = new Map<string, number>();
  private documents = 0;
  /** Which clusters contain a term: candidates for a new post without scanning every cluster. */
  private readonly clustersByTerm = new Map<string, Set<number>>();
  private readonly surfaces = new Map<string, string>();

  constructor(options: TopicClustererOptions = {}) {
    this.similarity = options.similarity ?? 0.2;
    this.duplicateSimilarity = options.duplicateSimilarity ?? 0.8;
  }

  private terms(text: string): { terms: string[]; phrases: string[] } {
    const prepared = prepareText(text);
    const kept = prepared.tokens.filter(
      (t) => (t.kind === "word" || t.kind === "hashtag") && t.norm.length >= 2 && !stopwords.has(t.norm),
    );
    // Labels show words as people wrote them ("stürzt"), not their normalised form ("stuerzt").
    for (const t of kept)
      if (!this.surfaces.has(t.norm)) this.surfaces.set(t.norm, t.surface.replace(/^#/, ""));
    const words = kept.map((t) => t.norm);
    const terms = [...words];
    for (let i = 1; i < words.length; i++) terms.push(`${words[i - 1]} ${words[i]}`);
    return { terms, phrases: extractKeyphrases({ text: prepared.text, tokens: prepared.tokens }) };
  }

  private vector(terms: string[]): TermVector {
    const counts = new Map<string, number>();
    for (const t of terms) counts.set(t, (counts.get(t) ?? 0) + 1);
    const v: TermVector = new Map();
    let norm = 0;
    for (const [t, c] of counts) {
      const idf = Math.log((this.documents + 1) / ((this.documentFrequency.get(t) ?? 0) + 1)) + 1;
      // Shared words decide the topic; shared word pairs only sharpen it.
      const w = (1 + Math.log(c)) * idf * (t.includes(" ") ? 0.5 : 1);
      v.set(t, w);
      norm += w * w;
    }
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (const [t, w] of v) v.set(t, w * inv);
    return v;
  }

  private static cosine(a: TermVector, b: Map<string, number>): number {
    let dot = 0;
    let normB = 0;
    for (const w of b.values()) normB += w * w;
    if (normB === 0) return 0;
    for (const [t, w] of a) {
      const o = b.get(t);
      if (o !== undefined) dot += w * o;
    }
    return dot / Math.sqrt(normB);
  }

  add(post: TopicPost): TopicAssignment {
    const { terms, phrases } = this.terms(post.text);
    this.documents++;
    for (const t of new Set(terms)) this.documentFrequency.set(t, (this.documentFrequency.get(t) ?? 0) + 1);
    const vector = this.vector(terms);
    const candidates = new Set<number>();
    for (const t of vector.keys()) for (const id of this.clustersByTerm.get(t) ?? []) candidates.add(id);
    let best: ClusterState | null = null;
    let bestSimilarity = 0;
    for (const id of candidates) {
      const cluster = this.clustersById[id];
      const s = TopicClusterer.cosine(vector, cluster.centroid);
      if (s > bestSimilarity) {
        bestSimilarity = s;
        best = cluster;
      }
    }
    let duplicateOf: string | null = null;
    if (best && vector.size > 0) {
      for (const e of best.exemplars) {
        if (TopicClusterer.cosine(vector, e.vector) >= this.duplicateSimilarity) {
          duplicateOf = e.id;
          break;
        }
      }
    }
    let cluster: ClusterState;
    if (best && (bestSimilarity >= this.similarity || duplicateOf !== null)) cluster = best;
    else {
      cluster = {
        id: this.clustersById.length,
        centroid: new Map(),
        postIds: [],
        duplicateIds: [],
        exemplars: [],
        phrases: new Map(),
      };
      this.clustersById.push(cluster);
    }
    cluster.postIds.push(post.id);
    if (duplicateOf) cluster.duplicateIds.push(post.id);
    else if (cluster.exemplars.length < maxExemplars) cluster.exemplars.push({ id: post.id, vector });
    for (const [t, w] of vector) {
      cluster.centroid.set(t, (cluster.centroid.get(t) ?? 0) + w);
      let set = this.clustersByTerm.get(t);
      if (!set) {
        set = new Set();
        this.clustersByTerm.set(t, set);
      }
      set.add(cluster.id);
    }
    for (const p of phrases) {
      const key = p.toLowerCase();
      const entry = cluster.phrases.get(key) ?? { text: p, count: 0 };
      entry.count++;
      cluster.phrases.set(key, entry);
    }
    return { clusterId: cluster.id, duplicateOf };
  }

  /** Clusters, largest first, each labelled by the phrases its posts share most. */
  clusters(): TopicCluster[] {
    return this.clustersById
      .map((c) => {
        const terms = [...c.centroid.entries()]
          .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
          .slice(0, 5)
          .map(([t]) =>
            t
              .split(" ")
              .map((w) => this.surfaces.get(w) ?? w)
              .join(" "),
          );
        const phrases = [...c.phrases.values()].sort(
          (a, b) => b.count - a.count || (a.text < b.text ? -1 : 1),
        );
        const shared = phrases.filter((p) => p.count > 1 || c.postIds.length === 1).slice(0, 2);
        const label =
          (shared.length ? shared.map((p) => p.text) : terms.slice(0, 3)).join(" · ") || "(no words)";
        return {
          id: c.id,
          label,
          size: c.postIds.length,
          postIds: [...c.postIds],
          duplicateIds: [...c.duplicateIds],
          terms,
        };
      })
      .sort((a, b) => b.size - a.size || a.id - b.id);
  }
}
