/**
 * The boolean keyword language of listening queries: parse the text a user wrote, compile it once,
 * match every incoming post against it. See docs/listening-queries.md for the syntax.
 */

export { type PostToMatch, PreparedPost, preparePost } from "./preparedPost.js";
export * from "./queryAst.js";
export { type CompiledQuery, compileQuery, type Matcher, matchAll } from "./queryCompiler.js";
export { describeQuery, formatQuery, type QueryTerm, queryTerms } from "./queryFormatter.js";
export { parseQuery } from "./queryParser.js";
