// Konversa on a fresh embedded database with one signed-in owner; prints the session cookie.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createOrganization } from "../../src/modules/organizations/organizationCreator.js";
import { createUser } from "../../src/modules/organizations/userCreator.js";
import { loadConfig } from "../../src/platform/config/config.js";
import { buildApp } from "../../src/server.js";

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
