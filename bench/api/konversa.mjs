// Konversa as shipped (the tsc build in dist/, run by plain Node like `npm start` does), on a fresh
// embedded database with one signed-in owner; prints the session cookie. run.ts builds dist first.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createOrganization } from "../../dist/modules/organizations/organizationCreator.js";
import { createUser } from "../../dist/modules/organizations/userCreator.js";
import { loadConfig } from "../../dist/platform/config/config.js";
import { buildApp } from "../../dist/server.js";

const port = Number(process.argv[2]);
const config = loadConfig({
  env: {},
  overrides: {
    port,
    host: "127.0.0.1",
    dataDir: mkdtempSync(path.join(tmpdir(), "konversa-bench-")),
    logLevel: "silent",
  },
});
const { app, database } = await buildApp({ config });
const person = await createUser(database.db, {
  email: "bench@example.test",
  name: "Bench",
  password: "bench-password-1",
});
await createOrganization(database.db, { name: "Bench AG", ownerUserId: person.id });
await app.listen({ port, host: "127.0.0.1" });
const response = await fetch(`http://127.0.0.1:${port}/api/auth/sign-in/email`, {
  method: "POST",
  headers: { "content-type": "application/json", origin: config.baseUrl },
  body: JSON.stringify({ email: "bench@example.test", password: "bench-password-1" }),
});
const cookie = response.headers
  .getSetCookie()
  .map((c) => c.split(";")[0])
  .join("; ");
process.stdout.write(`${JSON.stringify({ cookie })}\n`);
