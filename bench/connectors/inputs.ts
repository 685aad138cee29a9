/**
 * Synthetic network payloads for bench:connectors, shaped like the real ones (RSS 2.0, Atom, JSON
 * Feed 1.1, Mastodon statuses as the REST API returns them): German and English customer texts with
 * HTML markup, links and entities, so parsing does the work it does in production.
 */
const sentences = [
  "Die App stürzt seit dem Update beim Login ständig ab – bitte dringend fixen!",
  "Great service today, the agent solved my billing issue in five minutes.",
  "Warum dauert die Lieferung nach München schon wieder zwei Wochen?",
  "I have been waiting for a refund since March &amp; nobody answers my emails.",
  "Top Beratung in der Filiale, gerne wieder. Preis-Leistung stimmt.",
  "The new tariff is confusing: what exactly is included in the &quot;Plus&quot; plan?",
];

function paragraph(i: number, n: number): string {
  const parts: string[] = [];
  for (let k = 0; k < n; k++) parts.push(sentences[(i + k) % sentences.length]);
  return parts.join(" ");
}

function html(i: number, n: number): string {
  return `<p>${paragraph(i, n)}</p><p><a href="https://example.com/t/${i}">#kundenservice</a> <strong>Danke</strong></p>`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

const itemsPerFeed = 50;

export function rssDocument(seed: number): string {
  const items: string[] = [];
  for (let i = 0; i < itemsPerFeed; i++) {
    const n = seed * itemsPerFeed + i;
    items.push(`<item><title>Beitrag ${n}</title><link>https://forum.example.com/t/${n}</link>
<guid isPermaLink="false">post-${n}</guid><pubDate>${new Date(Date.UTC(2026, 10, 1, 0, n % 60)).toUTCString()}</pubDate>
<author>kunde${n % 97}@example.com (Kunde ${n % 97})</author><description>${escapeXml(html(n, 3))}</description></item>`);
  }
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Kundenforum</title>
<link>https://forum.example.com/</link><description>Beiträge</description>${items.join("\n")}</channel></rss>`;
}

export function atomDocument(seed: number): string {
  const entries: string[] = [];
  for (let i = 0; i < itemsPerFeed; i++) {
    const n = seed * itemsPerFeed + i;
    entries.push(`<entry><title>Review ${n}</title><id>urn:review:${n}</id>
<link rel="alternate" href="https://reviews.example.com/r/${n}"/><updated>2026-11-01T10:${String(n % 60).padStart(2, "0")}:00Z</updated>
<author><name>Reviewer ${n % 53}</name></author><content type="html">${escapeXml(html(n, 4))}</content></entry>`);
  }
  return `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Reviews</title>
<id>urn:reviews</id><updated>2026-11-01T10:00:00Z</updated>${entries.join("\n")}</feed>`;
}

export function jsonFeedDocument(seed: number): string {
  const items = [];
  for (let i = 0; i < itemsPerFeed; i++) {
    const n = seed * itemsPerFeed + i;
    items.push({
      id: `item-${n}`,
      url: `https://blog.example.com/p/${n}`,
      title: `Artikel ${n}`,
      content_html: html(n, 3),
      date_published: "2026-11-01T10:00:00Z",
      authors: [{ name: `Autorin ${n % 31}` }],
    });
  }
  return JSON.stringify({
    version: "https://jsonfeed.org/version/1.1",
    title: "Firmenblog",
    home_page_url: "https://blog.example.com/",
    items,
  });
}

/** One page of a hashtag timeline as the Mastodon REST API returns it (JSON text). */
export function mastodonTimelinePage(seed: number): string {
  const statuses = [];
  for (let i = 0; i < 40; i++) {
    const n = seed * 40 + i;
    statuses.push({
      id: String(110_000_000_000_000_000n + BigInt(n)),
      uri: `https://social.example/users/u${n % 211}/statuses/${n}`,
      url: `https://social.example/@u${n % 211}/${n}`,
      created_at: "2026-11-01T10:00:00.000Z",
      in_reply_to_id: null,
      visibility: "public",
      language: n % 2 ? "de" : "en",
      content: html(n, 2),
      spoiler_text: "",
      account: {
        id: String(n % 211),
        username: `u${n % 211}`,
        acct: `u${n % 211}@social.example`,
        display_name: `Nutzer ${n % 211}`,
        url: `https://social.example/@u${n % 211}`,
        followers_count: n % 5000,
      },
      replies_count: 1,
      reblogs_count: 2,
      favourites_count: 3,
    });
  }
  return JSON.stringify(statuses);
}
