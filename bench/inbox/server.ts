// Konversa (`serve` as in production: migrations done, inbox timers on, logging off) against the
// benchmark's PostgreSQL database, in its own process; signs in the bench user and prints the cookie.
import { loadConfig } from "../../src/platform/config/config.js";
import { buildApp } from "../../src/server.js";

const [port, databaseUrl, email, password] = process.argv.slice(2);
const config = loadConfig({
  env: { DATABASE_URL: databaseUrl! },
  overrides: { port: Number(port), host: "127.0.0.1", logLevel: "silent" },
});
const { app } = await buildApp({ config });
await app.listen({ port: Number(port), host: "127.0.0.1" });
const response = await fetch(`http://127.0.0.1:${port}/api/auth/sign-in/email`, {
  method: "POST",
  headers: { "content-type": "application/json", origin: config.baseUrl },
  body: JSON.stringify({ email, password }),
});
if (!response.ok) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
const cookie = response.headers
  .getSetCookie()
  .map((c) => c.split(";")[0])
  .join("; ");
process.stdout.write(`${JSON.stringify({ cookie, origin: config.baseUrl })}\n`);
