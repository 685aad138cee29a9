import { randomBytes } from "node:crypto";
import { AtpAgent, RichText } from "@atproto/api";
import { TestNetwork } from "@atproto/dev-env";
import pg from "pg";

/**
 * A real, local AT Protocol network from @atproto/dev-env: a PLC directory, a PDS, the Bluesky
 * app view (notifications, search, threads) and Ozone, on random ports. The app view keeps its
 * index in PostgreSQL, so this needs a server (KONVERSA_BLUESKY_DATABASE_URL, else
 * KONVERSA_TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres); it gets a uniquely
 * named database that `close` drops. Start it once per test file: it takes a few seconds.
 */
export async function startBlueskyNetwork() {
  const started = Date.now();
  const adminUrl =
    process.env.KONVERSA_BLUESKY_DATABASE_URL ??
    process.env.KONVERSA_TEST_DATABASE_URL ??
    "postgres://postgres@127.0.0.1:5432/postgres";
  const name = `konversa_bsky_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  await adminQuery(adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  // TestNetwork insists on a Redis address although nothing in it connects to Redis any more.
  process.env.REDIS_HOST ??= "127.0.0.1:6379";
  let network: TestNetwork;
  try {
    network = await TestNetwork.create({
      dbPostgresUrl: url.toString(),
      dbPostgresSchema: "bsky",
      // Rate limits on, as on a real PDS: its answers then carry the ratelimit-* headers.
      pds: { rateLimitsEnabled: true },
    });
  } catch (error) {
    await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    throw error;
  }
  const seed = network.getSeedClient();

  /** A new account on the PDS, signed in with its main password. */
  async function person(handle: string) {
    await seed.createAccount(handle, {
      handle: `${handle}.test`,
      email: `${handle}@example.test`,
      password: `${handle}-password`,
    });
    const agent = new AtpAgent({ service: network.pds.url });
    await agent.login({ identifier: `${handle}.test`, password: `${handle}-password` });
    return {
      handle: `${handle}.test`,
      did: agent.session!.did,
      agent,
      /** Posts `text` (mentions and links become facets), optionally as a reply; waits until the app view has it. */
      async post(text: string, replyTo?: { uri: string; cid: string; root?: { uri: string; cid: string } }) {
        const rich = new RichText({ text });
        await rich.detectFacets(agent);
        const created = await agent.post({
          text: rich.text,
          facets: rich.facets,
          ...(replyTo
            ? { reply: { root: replyTo.root ?? { uri: replyTo.uri, cid: replyTo.cid }, parent: replyTo } }
            : {}),
        });
        return created;
      },
    };
  }

  return {
    network,
    pdsUrl: network.pds.url,
    startupMs: Date.now() - started,
    person,
    /** Waits until the app view has indexed everything the PDS wrote. */
    settle: () => network.processAll(),
    async close() {
      await network.close();
      await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

async function adminQuery(url: string, statement: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
