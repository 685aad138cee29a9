import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { ConfigError } from "../errors.js";

/**
 * One table of every setting: where it comes from (environment variable or the key of the same
 * name in `konversa.config.json`), how it is checked and what it defaults to. The README's
 * configuration table is written from this list.
 */
const settingDefinitions = {
  port: {
    env: "PORT",
    schema: z.coerce.number().int().min(0).max(65535),
    message: "is not a port number between 0 and 65535",
    default: 3000,
    describe: "HTTP port of the web app and API.",
  },
  host: {
    env: "HOST",
    schema: z.string().min(1),
    message: "is empty",
    default: "0.0.0.0",
    describe: "Address to listen on.",
  },
  databaseUrl: {
    env: "DATABASE_URL",
    schema: z
      .string()
      .refine((v) => /^postgres(ql)?:\/\/[^\s]+$/.test(v) && URL.canParse(v))
      .optional(),
    message: "is not a postgres:// URL",
    default: undefined,
    describe: "PostgreSQL connection URL. Unset: the embedded PGlite database in the data folder.",
  },
  natsUrl: {
    env: "NATS_URL",
    schema: z
      .string()
      .refine((v) => v.split(",").every((u) => /^(nats|tls|wss?):\/\/[^\s]+$/.test(u.trim())))
      .optional(),
    message: "is not a nats:// URL (or a comma-separated list of them)",
    default: undefined,
    describe: "NATS server with JetStream for the scaled-out bus. Unset: the in-process bus.",
  },
  natsPrefix: {
    env: "KONVERSA_NATS_PREFIX",
    schema: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/),
    message: "is not 1–32 letters, digits, _ or -",
    default: "KONVERSA",
    describe:
      "Namespace of Konversa's streams and subjects on the NATS server (several installations can share one).",
  },
  dataDir: {
    env: "KONVERSA_DATA_DIR",
    schema: z.string().min(1),
    message: "is empty",
    default: ".konversa",
    describe: "Folder for the embedded database and the generated secret key.",
  },
  baseUrl: {
    env: "KONVERSA_BASE_URL",
    schema: z
      .string()
      .refine((v) => /^https?:\/\//.test(v) && URL.canParse(v))
      .optional(),
    message: "is not an http:// or https:// URL",
    default: undefined,
    describe:
      "Public URL of this installation (links in e-mails, cookie and CSRF origin). Default http://localhost:PORT.",
  },
  secretKey: {
    env: "KONVERSA_SECRET_KEY",
    schema: z
      .string()
      .refine((v) => decodeKey(v) !== undefined)
      .optional(),
    message: "is not 32 bytes as 64 hex characters or base64",
    default: undefined,
    describe:
      "Key that encrypts secrets at rest and signs sessions. Unset: generated once into DATA_DIR/secret.key.",
  },
  adminEmail: {
    env: "KONVERSA_ADMIN_EMAIL",
    schema: z.email().optional(),
    message: "is not an e-mail address",
    default: undefined,
    describe: "E-mail of the first admin that `konversa start` creates.",
  },
  adminPassword: {
    env: "KONVERSA_ADMIN_PASSWORD",
    schema: z.string().min(10).optional(),
    message: "is shorter than 10 characters",
    default: undefined,
    describe: "Password of that admin. Unset: one is generated and printed once.",
  },
  corsOrigins: {
    env: "KONVERSA_CORS_ORIGINS",
    schema: z
      .string()
      .refine((v) => v.split(",").every((o) => URL.canParse(o.trim())))
      .optional(),
    message: "is not a comma-separated list of origins like https://crm.example.com",
    default: undefined,
    describe: "Origins allowed to call the API from a browser (CORS). Unset: CORS off.",
  },
  loginRateLimit: {
    env: "KONVERSA_LOGIN_RATE_LIMIT",
    schema: z.coerce.number().int().min(1).max(10000),
    message: "is not a whole number between 1 and 10000",
    default: 10,
    describe: "Sign-in attempts allowed per client address per minute.",
  },
  logLevel: {
    env: "LOG_LEVEL",
    schema: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]),
    message: "is not one of fatal, error, warn, info, debug, trace, silent",
    default: "info",
    describe: "Log level (logs never contain personal data).",
  },
} as const;

type Definitions = typeof settingDefinitions;
export type SettingKey = keyof Definitions;

export interface Config {
  port: number;
  host: string;
  databaseUrl?: string;
  natsUrl?: string;
  natsPrefix: string;
  dataDir: string;
  baseUrl: string;
  secretKey?: Buffer;
  adminEmail?: string;
  adminPassword?: string;
  corsOrigins: string[];
  loginRateLimit: number;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
}

export interface LoadConfigProps {
  /** Environment to read; defaults to `process.env`. */
  env?: Record<string, string | undefined>;
  /** Path of the optional JSON file; defaults to `KONVERSA_CONFIG` or `./konversa.config.json`. */
  file?: string;
  /** Values that win over both (used by tests and CLI flags). */
  overrides?: Partial<Record<SettingKey, unknown>>;
}

export function loadConfig(props: LoadConfigProps = {}): Config {
  const env = props.env ?? process.env;
  const filePath = props.file ?? env.KONVERSA_CONFIG ?? "konversa.config.json";
  const fromFile = readConfigFile(filePath, props.file === undefined && env.KONVERSA_CONFIG !== undefined);
  const raw: Record<string, unknown> = {};
  for (const [key, def] of Object.entries(settingDefinitions)) {
    const envValue = env[def.env];
    raw[key] =
      props.overrides?.[key as SettingKey] ?? (envValue === "" ? undefined : envValue) ?? fromFile[key];
  }
  const values: Record<string, unknown> = {};
  for (const [key, def] of Object.entries(settingDefinitions)) {
    const value = raw[key] ?? def.default;
    const parsed = (def.schema as z.ZodType).safeParse(value);
    if (!parsed.success) {
      const source = key in fromFile && env[def.env] === undefined ? `${key} in ${filePath}` : def.env;
      throw new ConfigError(`${source} ${def.message} (got ${JSON.stringify(value)}).`);
    }
    values[key] = parsed.data;
  }
  const port = values.port as number;
  return {
    port,
    host: values.host as string,
    databaseUrl: values.databaseUrl as string | undefined,
    natsUrl: values.natsUrl as string | undefined,
    natsPrefix: values.natsPrefix as string,
    dataDir: path.resolve(values.dataDir as string),
    baseUrl: ((values.baseUrl as string | undefined) ?? `http://localhost:${port}`).replace(/\/$/, ""),
    secretKey: values.secretKey ? decodeKey(values.secretKey as string) : undefined,
    adminEmail: values.adminEmail as string | undefined,
    adminPassword: values.adminPassword as string | undefined,
    corsOrigins: values.corsOrigins ? (values.corsOrigins as string).split(",").map((o) => o.trim()) : [],
    loginRateLimit: values.loginRateLimit as number,
    logLevel: values.logLevel as Config["logLevel"],
  };
}

function readConfigFile(filePath: string, required: boolean): Record<string, unknown> {
  if (!existsSync(filePath)) {
    if (required) throw new ConfigError(`KONVERSA_CONFIG names ${filePath}, which does not exist.`);
    return {};
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(filePath, "utf8"));
  } catch (error) {
    throw new ConfigError(`${filePath} is not valid JSON: ${(error as Error).message}.`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`${filePath} must hold one JSON object of settings.`);
  }
  const unknownKeys = Object.keys(parsed).filter((k) => !(k in settingDefinitions));
  if (unknownKeys.length > 0) {
    throw new ConfigError(
      `${filePath} has an unknown setting "${unknownKeys[0]}"; known settings are ${Object.keys(settingDefinitions).join(", ")}.`,
    );
  }
  return parsed as Record<string, unknown>;
}

function decodeKey(value: string): Buffer | undefined {
  const key = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, "hex") : Buffer.from(value, "base64");
  return key.length === 32 ? key : undefined;
}

/** The settings as rows for documentation: env name, file key, default, description. */
export function describeSettings(): Array<{ env: string; key: string; default: string; describe: string }> {
  return Object.entries(settingDefinitions).map(([key, def]) => ({
    env: def.env,
    key,
    default: def.default === undefined ? "" : String(def.default),
    describe: def.describe,
  }));
}
