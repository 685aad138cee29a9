/**
 * Turns a parsed query into a function over prepared posts. Each node becomes a small closure doing
 * set look-ups, so checking one post against hundreds of queries stays in microseconds.
 */

import { type PostToMatch, PreparedPost } from "./preparedPost.js";
import type { QueryNode } from "./queryAst.js";
import { foldedWords, foldWord } from "./wordFolding.js";

export interface Matcher {
  /** Pass a `PreparedPost` when checking the same post against several queries. */
  matches(post: PreparedPost | PostToMatch): boolean;
}

export interface CompiledQuery {
  id: string;
  matcher: Matcher;
}

type Test = (post: PreparedPost) => boolean;

const never: Test = () => false;

/** Cheaper tests first inside an AND, so most posts are turned away by a single set look-up. */
function cost(node: QueryNode): number {
  switch (node.type) {
    case "filter":
      return 0;
    case "hashtag":
    case "handle":
      return 1;
    case "term":
      return node.prefix ? 3 : 1;
    case "phrase":
      return 2;
    case "not":
      return 1 + cost(node.child);
    default:
      return 4;
  }
}

function wordsTest(words: string[], prefix: boolean): Test {
  if (words.length === 0) return never;
  const first = words[0]!;
  if (words.length === 1) {
    return prefix ? (post) => post.hasWordStartingWith(first) : (post) => post.words.has(first);
  }
  return (post) => post.hasSequence(words, prefix);
}

function compileNode(node: QueryNode): Test {
  switch (node.type) {
    case "term":
      return wordsTest(foldedWords(node.value), node.prefix);
    case "phrase":
      return wordsTest(foldedWords(node.value), false);
    case "hashtag": {
      const tag = foldWord(node.value.startsWith("#") ? node.value.slice(1) : node.value);
      return node.prefix ? (post) => post.hasHashtagStartingWith(tag) : (post) => post.hashtags.has(tag);
    }
    case "handle": {
      const handle = foldWord(node.value.startsWith("@") ? node.value.slice(1) : node.value);
      return (post) => post.mentions.has(handle);
    }
    case "filter": {
      const value = node.value.toLowerCase();
      if (node.field === "lang") return (post) => post.lang === value;
      if (node.field === "channel") return (post) => post.channel === value;
      const author = foldWord(value.startsWith("@") ? value.slice(1) : value);
      return (post) => post.authorKeys.has(author);
    }
    case "not": {
      const child = compileNode(node.child);
      return (post) => !child(post);
    }
    case "and": {
      const tests = [...node.children].sort((a, b) => cost(a) - cost(b)).map(compileNode);
      if (tests.length === 0) return never;
      if (tests.length === 2) {
        const [a, b] = tests as [Test, Test];
        return (post) => a(post) && b(post);
      }
      return (post) => {
        for (const test of tests) if (!test(post)) return false;
        return true;
      };
    }
    case "or": {
      const tests = [...node.children].sort((a, b) => cost(a) - cost(b)).map(compileNode);
      if (tests.length === 2) {
        const [a, b] = tests as [Test, Test];
        return (post) => a(post) || b(post);
      }
      return (post) => {
        for (const test of tests) if (test(post)) return true;
        return false;
      };
    }
    default:
      return never;
  }
}

function prepared(post: PreparedPost | PostToMatch): PreparedPost {
  return post instanceof PreparedPost ? post : new PreparedPost(post);
}

/** Compile once per query (and cache it); a node the compiler does not know matches nothing. */
export function compileQuery(ast: QueryNode): Matcher {
  const test = compileNode(ast);
  return { matches: (post) => test(prepared(post)) };
}

/** The ids of the queries one post matches, in the order given. */
export function matchAll(queries: readonly CompiledQuery[], post: PreparedPost | PostToMatch): string[] {
  const once = prepared(post);
  const matched: string[] = [];
  for (const query of queries) if (query.matcher.matches(once)) matched.push(query.id);
  return matched;
}
