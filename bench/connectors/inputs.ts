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

/**
 * One customer e-mail as MIME source: multipart/alternative (plain + HTML, quoted-printable
 * umlauts), threading headers, and every fourth one with a 20 KB PDF attachment (base64).
 */
export function emailSource(seed: number): string {
  const boundary = `b${seed}`;
  const alt = `a${seed}`;
  const text = paragraph(seed, 6);
  const qp = (s: string) =>
    Buffer.from(s, "utf8")
      .toString("latin1")
      .replace(/[^\x20-\x7e]/g, (c) => `=${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);
  const parts = [
    `--${boundary}`,
    `Content-Type: multipart/alternative; boundary="${alt}"`,
    "",
    `--${alt}`,
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: quoted-printable",
    "",
    qp(text),
    `--${alt}`,
    "Content-Type: text/html; charset=utf-8",
    "Content-Transfer-Encoding: quoted-printable",
    "",
    qp(
      `<html><body><div style="font-family:Arial">${html(seed, 6)}</div><blockquote>Am 01.11. schrieb Service: …</blockquote></body></html>`,
    ),
    `--${alt}--`,
  ];
  if (seed % 4 === 0) {
    parts.push(
      `--${boundary}`,
      `Content-Type: application/pdf; name="rechnung-${seed}.pdf"`,
      "Content-Transfer-Encoding: base64",
      `Content-Disposition: attachment; filename="rechnung-${seed}.pdf"`,
      "",
      Buffer.alloc(20_000, seed % 251)
        .toString("base64")
        .replace(/.{76}/g, "$&\r\n"),
    );
  }
  parts.push(`--${boundary}--`, "");
  return [
    `From: Kunde ${seed % 97} <kunde${seed % 97}@example.com>`,
    "To: service@nordbahn.example",
    `Subject: =?UTF-8?Q?Beschwerde_=C3=BCber_Lieferung_${seed}?=`,
    `Message-ID: <m${seed}@mail.example.com>`,
    `In-Reply-To: <r${seed}@nordbahn.example>`,
    `References: <t${seed}@mail.example.com> <r${seed}@nordbahn.example>`,
    "Date: Mon, 23 Nov 2026 10:00:00 +0100",
    "MIME-Version: 1.0",
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    "",
    ...parts,
  ].join("\r\n");
}

/** One page of `app.bsky.feed.searchPosts` as the AppView returns it (JSON text). */
export function blueskySearchPage(seed: number): string {
  const posts = [];
  for (let i = 0; i < 25; i++) {
    const n = seed * 25 + i;
    posts.push({
      uri: `at://did:plc:user${n % 307}/app.bsky.feed.post/3k${n.toString(36).padStart(11, "a")}`,
      cid: `bafyreib${n.toString(36).padStart(50, "q")}`,
      author: {
        did: `did:plc:user${n % 307}`,
        handle: `user${n % 307}.bsky.social`,
        displayName: `Nutzer ${n % 307}`,
        followersCount: n % 4000,
      },
      record: {
        $type: "app.bsky.feed.post",
        text: paragraph(n, 2).slice(0, 300),
        createdAt: "2026-11-01T10:00:00.000Z",
        langs: [n % 2 ? "de" : "en"],
        ...(n % 3 === 0
          ? {
              reply: {
                root: { uri: `at://did:plc:brand/app.bsky.feed.post/3kroot${n}`, cid: "bafyroot" },
                parent: { uri: `at://did:plc:brand/app.bsky.feed.post/3kparent${n}`, cid: "bafyparent" },
              },
            }
          : {}),
      },
      indexedAt: "2026-11-01T10:00:01.000Z",
      likeCount: n % 7,
      repostCount: n % 3,
      replyCount: n % 5,
    });
  }
  return JSON.stringify({ posts, cursor: String(seed) });
}
