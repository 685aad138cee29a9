/**
 * The parsed form of a listening query: a plain JSON tree, so the query builder in the web client can
 * build one, send it, and get it back as text with `formatQuery`. Values are kept as the user wrote
 * them; the compiler normalises them for matching.
 */

export const queryFilterFields = ["lang", "channel", "author"] as const;
export type QueryFilterField = (typeof queryFilterFields)[number];

/** A word (or a hyphenated/dotted run like `deutsche-bahn`); `prefix` means it was written `bahn*`. */
export interface TermNode {
  type: "term";
  value: string;
  prefix: boolean;
}

/** Words in this order, written in double quotes. */
export interface PhraseNode {
  type: "phrase";
  value: string;
}

/** `#nordbahn`; `value` without the `#`. */
export interface HashtagNode {
  type: "hashtag";
  value: string;
  prefix: boolean;
}

/** `@nordbahn`; `value` without the `@`. */
export interface HandleNode {
  type: "handle";
  value: string;
}

/** `lang:de`, `channel:bluesky`, `author:@nordbahn` (author `value` without the `@`). */
export interface FilterNode {
  type: "filter";
  field: QueryFilterField;
  value: string;
}

/** At least two children; the parser never puts an `and` directly inside an `and`. */
export interface AndNode {
  type: "and";
  children: QueryNode[];
}

/** At least two children; the parser never puts an `or` directly inside an `or`. */
export interface OrNode {
  type: "or";
  children: QueryNode[];
}

export interface NotNode {
  type: "not";
  child: QueryNode;
}

export type QueryLeaf = TermNode | PhraseNode | HashtagNode | HandleNode | FilterNode;
export type QueryNode = QueryLeaf | AndNode | OrNode | NotNode;

export interface QuerySyntaxError {
  /** Stable identifier of the kind of error, for translating the message in the UI. */
  code: QueryErrorCode;
  /** What is wrong, in one sentence. */
  message: string;
  /** 0-based index into the query text where the problem starts. */
  position: number;
  /** How many characters the problem spans (at least 1 unless the query is empty). */
  length: number;
  /** What to do about it, for someone who is not a programmer. */
  hint: string;
  /** Message and hint in German, for the UI. */
  de: { message: string; hint: string };
}

export type QueryErrorCode =
  | "empty_query"
  | "query_too_long"
  | "too_deeply_nested"
  | "too_many_terms"
  | "unclosed_parenthesis"
  | "unopened_parenthesis"
  | "empty_parentheses"
  | "unclosed_quote"
  | "empty_phrase"
  | "missing_term_after_operator"
  | "missing_term_before_operator"
  | "lone_minus"
  | "unknown_filter"
  | "invalid_filter_value"
  | "invalid_wildcard"
  | "invalid_hashtag"
  | "invalid_handle"
  | "nothing_to_match"
  | "only_exclusions";

export type ParseResult = { ok: true; ast: QueryNode } | { ok: false; error: QuerySyntaxError };

/** The limits a query must stay within, so that one query cannot slow down matching for everyone. */
export const queryLimits = {
  maxLength: 2_000,
  maxDepth: 20,
  maxTerms: 200,
  /** Letters a prefix wildcard needs before the `*`, so `a*` cannot match half of all posts. */
  minPrefixLength: 2,
} as const;
