import type { LightMyRequestResponse } from "fastify";
import { expect } from "vitest";
import { startWebhookReceiver, waitFor } from "../support/webhookReceiver.js";

export type Api = (
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
  url: string,
  payload?: object,
) => Promise<LightMyRequestResponse>;

const webhookSecret = "whsec-0123456789abcdef";
let counter = 0;

export function samplePost(text: string, overrides: Record<string, unknown> = {}) {
  counter += 1;
  return {
    network: "bluesky",
    externalId: `at://did:plc:test/app.bsky.feed.post/${Date.now().toString(36)}-${counter}`,
    text,
    author: {
      handle: `kunde${counter % 40}.bsky.social`,
      displayName: `Kunde ${counter % 40}`,
      followers: 100 + counter,
    },
    postedAt: new Date().toISOString(),
    ...overrides,
  };
}

const complaints = [
  "@nordbahn Schon wieder {n} Minuten Verspätung und der Zug fällt aus. Eine Katastrophe, ich bin stinksauer!!!",
  "@nordbahn Zug ausgefallen, keine Info, niemand hilft. Unverschämt und total inakzeptabel!",
  "@nordbahn Das ist eine Frechheit, jeden Tag Verspätung. Miserabler Service, ich bin wütend!!!",
];

export interface ScenarioOptions {
  api: Api;
  /** How many angry posts make the storm. */
  stormSize: number;
  /** Called once a part of the storm is stored (the worker test kills a worker here). */
  midStream?: (storedSoFar: number) => Promise<void>;
  countMentions: () => Promise<number>;
  /** Extra words for a timeout message (what the workers said). */
  onTimeout?: () => Promise<string>;
}

/**
 * The listening loop as a user meets it: posts in through the ingest API → searchable with their
 * sentiment → counted in the dashboard rollups → a burst of negative posts fires exactly one storm
 * alert, delivered to a webhook with a valid signature → the alert becomes an inbox conversation.
 */
export async function runListeningScenario({
  api,
  stormSize,
  midStream,
  countMentions,
  onTimeout,
}: ScenarioOptions) {
  const brand = await api("POST", "/api/v1/listening/queries", {
    name: "Nordbahn",
    kind: "brand",
    expression: "nordbahn OR @nordbahn OR #nordbahn",
  });
  expect(brand.statusCode).toBe(201);
  const queryId = brand.json().id as string;
  const receiver = await startWebhookReceiver(webhookSecret);
  try {
    const rule = await api("POST", "/api/v1/alerts/rules", {
      name: "Shitstorm-Frühwarnung",
      type: "storm",
      queryId,
      webhookUrl: receiver.url,
      webhookSecret,
      config: { minCount: 15, minShare: 0.5, threshold: 3 },
    });
    expect(rule.statusCode).toBe(201);

    const calm = [
      samplePost("Danke Nordbahn, heute pünktlich und sehr freundliches Personal. Super!", {
        languageHint: "de",
      }),
      samplePost("Nordbahn app works great today, thank you!", { languageHint: "en" }),
      samplePost("Fahre morgen mit der Nordbahn nach Kiel", { languageHint: "de" }),
      samplePost("Ganz anderes Thema: das Wetter ist schön"),
    ];
    const accepted = await api("POST", "/api/v1/ingest/posts", { posts: calm });
    expect(accepted.statusCode).toBe(202);
    expect(accepted.json()).toMatchObject({ accepted: 4, rejected: [] });
    // The same batch again changes nothing: ingest is idempotent.
    await api("POST", "/api/v1/ingest/posts", { posts: calm });
    // Two workers may store the calm posts in different batches: wait for all three, not the first.
    await waitFor(
      async () =>
        (await api("GET", `/api/v1/mentions?queryId=${queryId}&limit=50`)).json().mentions?.length === 3
          ? true
          : undefined,
      "the calm posts",
    );
    expect((await api("GET", "/api/v1/mentions?q=pünktlich")).json().mentions).toHaveLength(1);
    const calmMentions = (await api("GET", `/api/v1/mentions?queryId=${queryId}&limit=50`)).json().mentions;
    expect(calmMentions).toHaveLength(3);
    expect(calmMentions.find((m: { text: string }) => m.text.includes("pünktlich")).sentiment).not.toBe(
      "negative",
    );

    const storm = Array.from({ length: stormSize }, (_, i) =>
      samplePost(complaints[i % complaints.length]!.replace("{n}", String(10 + (i % 50))), {
        languageHint: "de",
      }),
    );
    for (let i = 0; i < storm.length; i += 100) {
      const response = await api("POST", "/api/v1/ingest/posts", { posts: storm.slice(i, i + 100) });
      expect(response.json().accepted).toBe(Math.min(100, storm.length - i));
    }
    if (midStream) await midStream(await countMentions());
    const total = 4 + stormSize;
    await waitFor(
      async () => ((await countMentions()) === total ? true : undefined),
      `all ${total} mentions`,
      60_000,
    ).catch(async (error) => {
      throw new Error(`${error.message} ${(await onTimeout?.()) ?? ""}`);
    });
    await waitFor(() => (receiver.received.length > 0 ? true : undefined), "the storm webhook", 30_000);
    // More anger in the same hour does not page anyone again.
    await api("POST", "/api/v1/ingest/posts", {
      posts: [samplePost("@nordbahn immer noch kein Zug, unzumutbar!!!", { languageHint: "de" })],
    });
    await waitFor(async () => ((await countMentions()) === total + 1 ? true : undefined), "the last mention");
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]!.signatureValid).toBe(true);
    expect(receiver.received[0]!.json).toMatchObject({ type: "storm" });

    // Rollups count every post exactly once, however often it was delivered.
    const range = `from=${new Date(Date.now() - 86_400_000).toISOString()}&to=${new Date(Date.now() + 3_600_000).toISOString()}`;
    const volume = (
      await api("GET", `/api/v1/listening/volume?queryId=${queryId}&${range}&interval=hour`)
    ).json();
    expect(volume.reduce((sum: number, b: { total: number }) => sum + b.total, 0)).toBe(3 + stormSize + 1);
    const everything = (await api("GET", `/api/v1/listening/volume?${range}&interval=day`)).json();
    expect(everything.reduce((sum: number, b: { total: number }) => sum + b.total, 0)).toBe(total + 1);
    expect(
      volume.reduce((sum: number, b: { negative: number }) => sum + b.negative, 0),
    ).toBeGreaterThanOrEqual(stormSize * 0.8);

    // The receiver has the webhook; the worker marks the delivery sent right after its answer.
    const alerts = await waitFor(async () => {
      const listed = (await api("GET", "/api/v1/alerts")).json();
      return listed[0]?.deliveries[0]?.status === "sent" ? listed : undefined;
    }, "the delivery marked sent");
    expect(alerts).toHaveLength(1);
    expect(alerts[0].deliveries[0]).toMatchObject({ channel: "webhook", status: "sent" });
    const opened = await api("POST", `/api/v1/alerts/${alerts[0].id}/conversation`, {
      note: "Bitte sofort übernehmen",
    });
    expect(opened.statusCode).toBe(201);
    const conversation = (await api("GET", `/api/v1/conversations/${opened.json().id}`)).json();
    expect(conversation.messages.map((m: { direction: string }) => m.direction)).toEqual([
      "incoming",
      "note",
    ]);
    return { queryId };
  } finally {
    await receiver.close();
  }
}
