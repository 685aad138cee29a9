/**
 * Text from a network (Mastodon's HTML, a feed item, a webhook) as safe plain text: scripts and
 * styles dropped with their content, line breaks kept, every other tag removed, entities decoded.
 * What we store is shown as text, never rendered as HTML.
 */
export function toPlainText(html: string): string {
  return decodeEntities(
    html
      .replace(/<(script|style|iframe|object|template)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, " ")
      .replace(/<(script|style|iframe|object|template)\b[^>]*>[\s\S]*$/gi, " ")
      .replace(/<!--[\s\S]*?-->/g, " ")
      .replace(/<br\s*\/?>/gi, "\n")
      .replace(/<\/(p|div|li|h[1-6]|blockquote)>/gi, "\n")
      .replace(/<\/?[a-z!][^>]*>/gi, " ")
      .replace(/[<>]/g, " "),
  )
    .replace(/<\/?[a-z!][^>]*>/gi, " ")
    .replace(/[ \t\f\v\u00a0]+/g, " ")
    .replace(/ *\n */g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

const named: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, entity: string) => {
    if (entity[0] === "#") {
      const code =
        entity[1] === "x" || entity[1] === "X"
          ? Number.parseInt(entity.slice(2), 16)
          : Number(entity.slice(1));
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : " ";
    }
    return named[entity.toLowerCase()] ?? whole;
  });
}

/** Cuts a text to `max` characters at a word boundary, marking the cut with an ellipsis. */
export function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(" ");
  return `${space > max * 0.8 ? cut.slice(0, space) : cut}…`;
}
