import { hash as argon2Hash, verify as argon2Verify } from "@node-rs/argon2";
import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { twoFactor } from "better-auth/plugins";
import type { Db } from "../db/client.js";
import * as authSchema from "./schema.js";

export interface CreateAuthProps {
  db: Db;
  /** Derived from the master key; signs session cookies. */
  secret: string;
  /** Public URL of the installation; its origin is trusted for cookie-authenticated writes. */
  baseUrl: string;
  trustedOrigins: string[];
}

/** Argon2id with OWASP's recommended minimum (19 MiB, 2 passes). */
export const passwordHasher = {
  hash: (password: string) => argon2Hash(password, { memoryCost: 19_456, timeCost: 2, parallelism: 1 }),
  verify: ({ hash, password }: { hash: string; password: string }) => argon2Verify(hash, password),
};

/**
 * better-auth handles accounts, sign-in, sessions and the TOTP second factor. Organizations,
 * members and roles live in modules/organizations so their changes and audit entries share one
 * transaction. Public sign-up is off: people join by invitation or are created by an admin.
 */
export function createAuth(props: CreateAuthProps) {
  return betterAuth({
    appName: "Konversa",
    baseURL: props.baseUrl,
    basePath: "/api/auth",
    secret: props.secret,
    trustedOrigins: props.trustedOrigins,
    database: drizzleAdapter(props.db, { provider: "pg", schema: authSchema }),
    emailAndPassword: {
      enabled: true,
      disableSignUp: true,
      minPasswordLength: 10,
      maxPasswordLength: 256,
      password: passwordHasher,
    },
    user: { additionalFields: { locale: { type: "string", required: false } } },
    session: {
      expiresIn: 60 * 60 * 24 * 7,
      updateAge: 60 * 60 * 24,
      // A signed cookie spares the database on most requests; a revoked session ends within a minute.
      cookieCache: { enabled: true, maxAge: 60 },
    },
    // Sign-in attempts are limited by the HTTP layer, per client address, with a clear message.
    rateLimit: { enabled: false },
    advanced: {
      cookiePrefix: "konversa",
      useSecureCookies: props.baseUrl.startsWith("https://"),
      defaultCookieAttributes: { sameSite: "lax", httpOnly: true },
    },
    plugins: [twoFactor({ issuer: "Konversa" })],
    telemetry: { enabled: false },
    // Failed sign-ins are answered to the client; logging each would only add noise.
    logger: { level: "error" },
  });
}

export type Auth = ReturnType<typeof createAuth>;
