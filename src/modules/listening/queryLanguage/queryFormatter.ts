/**
 * Writing a query tree back out: `formatQuery` as text that parses to the same tree (for the query
 * builder), `describeQuery` as the normalised form the matcher actually looks for (for showing users
 * how their query was understood), `queryTerms` as the things to highlight in a matching post.
 */
import type { QueryNode } from "./queryAst.js";
import { readsAsOperatorOrFilter } from "./queryParser.js";
import { foldedWords, foldWord } from "./wordFolding.js";

const closingQuotes = /["“”]/g;

/** Whether a term written bare would be read as something else (operator, filter, hashtag, …). */
function needsQuotes(value: string, prefix: boolean): boolean {
  return (
    value === "" ||
    /[\s()*"„“”]/.test(value) ||
    /^[-#@]/.test(value) ||
    readsAsOperatorOrFilter(prefix ? `${value}*` : value)
  );
}

function quoted(value: string): string {
  // A phrase cannot hold quotation marks; they only separate words, so a space means the same.
  return `"${value.replace(closingQuotes, " ")}"`;
}

type Style = "text" | "description";

function write(node: QueryNode, style: Style): string {
  const described = style === "description";
  switch (node.type) {
    case "term": {
      if (described) {
        const words = foldedWords(node.value).join(" ");
        const star = node.prefix ? "*" : "";
        return words.includes(" ") ? `"${words}${star}"` : `${words}${star}`;
      }
      return needsQuotes(node.value, node.prefix)
        ? quoted(node.value)
        : `${node.value}${node.prefix ? "*" : ""}`;
    }
    case "phrase":
      return quoted(described ? foldedWords(node.value).join(" ") : node.value);
    case "hashtag":
      return `#${described ? foldWord(node.value) : node.value}${node.prefix ? "*" : ""}`;
    case "handle":
      return `@${described ? foldWord(node.value) : node.value}`;
    case "filter": {
      if (node.field === "author") return `author:@${described ? foldWord(node.value) : node.value}`;
      return `${node.field}:${described ? node.value.toLowerCase() : node.value}`;
    }
    case "not": {
      const child = write(node.child, style);
      const grouped = node.child.type === "and" || node.child.type === "or";
      return `NOT ${grouped ? `(${child})` : child}`;
    }
    case "and":
    case "or": {
      const operator = node.type === "and" ? " AND " : " OR ";
      // Groups inside groups always get parentheses: clearer to read, and the parser reads them the same.
      return node.children
        .map((child) => {
          const text = write(child, style);
          return child.type === "and" || child.type === "or" ? `(${text})` : text;
        })
        .join(operator);
    }
    default:
      return "";
  }
}

/** The query as text with English operators; `parseQuery(formatQuery(ast))` gives `ast` back. */
export function formatQuery(ast: QueryNode): string {
  return write(ast, "text");
}

/**
 * How the query is understood, the same whichever language the operators were written in: words
 * lower-cased and folded (müller → mueller), every AND written out, every group in parentheses.
 */
export function describeQuery(ast: QueryNode): string {
  return write(ast, "description");
}

export interface QueryTerm {
  type: "term" | "phrase" | "hashtag" | "handle";
  /** As written in the query, without # or @. */
  value: string;
  /** The folded words the matcher compares (one for a hashtag or handle). */
  words: string[];
  prefix: boolean;
}

/** What the query listens for — everything not under a NOT — each once, in reading order. */
export function queryTerms(ast: QueryNode): QueryTerm[] {
  const terms: QueryTerm[] = [];
  const seen = new Set<string>();
  const add = (term: QueryTerm) => {
    const key = `${term.type}\u0000${term.prefix}\u0000${term.words.join(" ")}`;
    if (term.words.length === 0 || seen.has(key)) return;
    seen.add(key);
    terms.push(term);
  };
  const visit = (node: QueryNode, negated: boolean) => {
    switch (node.type) {
      case "not":
        return visit(node.child, !negated);
      case "and":
      case "or":
        for (const child of node.children) visit(child, negated);
        return;
      case "filter":
        return;
      default:
        if (negated) return;
        if (node.type === "term")
          add({ type: "term", value: node.value, words: foldedWords(node.value), prefix: node.prefix });
        else if (node.type === "phrase")
          add({ type: "phrase", value: node.value, words: foldedWords(node.value), prefix: false });
        else if (node.type === "hashtag")
          add({ type: "hashtag", value: node.value, words: [foldWord(node.value)], prefix: node.prefix });
        else add({ type: "handle", value: node.value, words: [foldWord(node.value)], prefix: false });
    }
  };
  visit(ast, false);
  return terms;
}
