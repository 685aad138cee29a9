import { existsSync } from "node:fs";
import path from "node:path";
import helmet from "@fastify/helmet";
import rateLimit from "@fastify/rate-limit";
import fastifyStatic from "@fastify/static";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import { fromNodeHeaders } from "better-auth/node";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { jsonSchemaTransform, validatorCompiler, type ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Auth } from "../auth/auth.js";
import type { AccessDirectory, Principal } from "../auth/context.js";
import { TtlCache } from "../cache.js";
import type { Database } from "../db/client.js";
import { migrationsApplied } from "../db/migrate.js";
import { ForbiddenError, UnauthorizedError } from "../errors.js";
import { createMetrics } from "../metrics/metrics.js";
import type { RouteAccess } from "./access.js";
import { body, handleError } from "./errors.js";
import { responseSerializerCompiler } from "./serializer.js";

export type App = FastifyInstance;

export interface RegisteredRoute {
  method: string;
  url: string;
  access: RouteAccess;
}

export interface CreateHttpAppProps {
  database: Database;
  auth: Auth;
  directory: AccessDirectory;
  baseUrl: string;
  corsOrigins: string[];
  /** Sign-in attempts per client address per minute. */
  loginRateLimit: number;
  logLevel: string;
  /** Folder of the built web app; served with a fallback to index.html for client-side routes. */
  webRoot?: string;
}

declare module "fastify" {
  interface FastifyInstance {
    /** Every route with its declared access, for the cross-tenant and role test suites. */
    konversaRoutes: RegisteredRoute[];
    /** Drops cached sessions (after sign-out, or a change to who may do what). */
    forgetSessions(): void;
    /** This process's Prometheus metrics (rendered at /metrics). */
    metrics: ReturnType<typeof createMetrics>;
  }
}

/** What a JSON answer needs (OWASP REST guidance): no sniffing, no framing, no caching of personal data. */
const apiSecurityHeaders = {
  "x-content-type-options": "nosniff",
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
  "cache-control": "no-store",
  "referrer-policy": "no-referrer",
  "cross-origin-resource-policy": "same-origin",
};

const sessionCookiePattern = /(?:^|;\s*)(?:__Secure-)?konversa\.session_token=([^;]+)/;
/** The organization chosen in the switcher; membership is checked on every request. */
export const organizationCookie = "konversa.organization";
const organizationCookiePattern = /(?:^|;\s*)konversa\.organization=([0-9a-fA-F-]{36})/;

const unsafeMethods = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const organizationHeader = "x-konversa-organization";

/**
 * The Fastify app with everything cross-cutting: validation through zod, OpenAPI, security
 * headers, the access check every route declares, errors, health, readiness and metrics.
 * Modules add their routes with `app.register(...)` after this returns.
 */
export async function createHttpApp(props: CreateHttpAppProps) {
  const app = Fastify({
    bodyLimit: 1024 * 1024,
    trustProxy: false,
    // Request ids are per process (req-1, req-2 …); logs carry pid and hostname to tell replicas apart.
    logger:
      props.logLevel === "silent"
        ? false
        : {
            level: props.logLevel,
            // Paths only: query strings may carry search terms with personal data.
            serializers: {
              req: (req: FastifyRequest) => ({ method: req.method, path: req.url.split("?")[0], id: req.id }),
              res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
            },
          },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(responseSerializerCompiler);
  app.setErrorHandler(handleError);

  const routes: RegisteredRoute[] = [];
  app.decorate("konversaRoutes", routes);
  app.addHook("onRoute", (route) => {
    const config = (route.config ?? {}) as { access?: RouteAccess; file?: string };
    // The built web app's files (@fastify/static marks its routes with `file`): public, no session
    // needed, and helmet's full header set with the page CSP.
    if (config.file !== undefined) return;
    if (route.url.startsWith("/api/docs")) {
      route.config = { ...config, access: "public", page: true } as typeof route.config;
    } else if (!config.access) {
      throw new Error(`Route ${route.method} ${route.url} declares no access; add config.access.`);
    } else {
      // JSON answers get the lean header set below; helmet's full set is for pages and assets.
      route.config = { ...route.config, helmet: { skipRoute: true } } as typeof route.config;
    }
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === "HEAD" || method === "OPTIONS") continue;
      routes.push({ method, url: route.url, access: (route.config as { access: RouteAccess }).access });
    }
  });

  const trustedOrigins = [new URL(props.baseUrl).origin, ...props.corsOrigins.map((o) => new URL(o).origin)];
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // Mantine writes its theme variables into a style element.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", "data:", "blob:"],
        connectSrc: ["'self'"],
        fontSrc: ["'self'", "data:"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        upgradeInsecureRequests: null,
      },
    },
    hsts: props.baseUrl.startsWith("https://"),
  });
  if (props.corsOrigins.length > 0) {
    const { default: cors } = await import("@fastify/cors");
    await app.register(cors, { origin: props.corsOrigins, credentials: true });
  }
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      code: "rate_limited",
      message: `Too many attempts; try again in ${Math.ceil(context.ttl / 1000)} seconds.`,
    }),
  });
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Konversa API",
        version: "1",
        description: "Social CRM: listen, serve, know the customer.",
      },
      servers: [{ url: props.baseUrl }],
      components: {
        securitySchemes: {
          session: { type: "apiKey", in: "cookie", name: "konversa.session_token" },
          token: { type: "http", scheme: "bearer", description: "Personal API token (kvt_…)" },
        },
      },
      security: [{ session: [] }, { token: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: "/api/docs", staticCSP: true });

  // Verified sessions are reused for a few seconds; any account change through /api/auth clears them.
  const sessions = new TtlCache<string, Omit<Principal, "activeOrganizationId"> | undefined>(5_000);
  app.decorate("forgetSessions", () => sessions.clear());

  const metrics = createMetrics();
  app.decorate("metrics", metrics);
  app.addHook("onResponse", (request, reply, done) => {
    metrics.observeRequest({
      method: request.method,
      route: request.routeOptions.url ?? "unmatched",
      status: reply.statusCode,
      seconds: reply.elapsedTime / 1000,
    });
    done();
  });

  app.addHook("onRequest", async (request, reply) => {
    const config = request.routeOptions.config as { access?: RouteAccess; page?: boolean } | undefined;
    const access = config?.access;
    if (access && !config.page) reply.headers(apiSecurityHeaders);
    if (!access || access === "public") return;
    const principal = await authenticate(request, props.auth, props.directory, sessions);
    if (!principal) throw new UnauthorizedError();
    if (principal.via === "session" && unsafeMethods.has(request.method)) {
      const origin = request.headers.origin ?? refererOrigin(request.headers.referer);
      if (!origin || !trustedOrigins.includes(origin)) {
        throw new ForbiddenError(
          "Cross-site request refused: send it from the Konversa app (same origin) or use an API token.",
        );
      }
    }
    request.principal = principal;
    if (access === "signed-in") return;
    const requested =
      principal.tokenOrganizationId ??
      headerValue(request.headers[organizationHeader]) ??
      principal.activeOrganizationId;
    const membership = await props.directory.membership(principal.userId, requested);
    if (!membership) {
      throw new ForbiddenError(
        requested
          ? "You are not a member of that organization."
          : "You are not a member of any organization yet.",
      );
    }
    if (!access.includes(membership.role)) {
      throw new ForbiddenError(
        `Your role "${membership.role}" may not do this; ask an admin of your organization.`,
      );
    }
    request.org = {
      organizationId: membership.organizationId,
      userId: principal.userId,
      memberId: membership.memberId,
      role: membership.role,
      departmentIds: membership.departmentIds,
      tokenId: principal.tokenId,
      ip: request.ip,
    };
  });

  // better-auth answers everything under /api/auth; sign-in gets its own, rate-limited route.
  const authHandler = async (request: FastifyRequest, reply: FastifyReply) => {
    const url = new URL(request.url, props.baseUrl);
    const init: RequestInit = { method: request.method, headers: fromNodeHeaders(request.headers) };
    if (request.body !== undefined && request.method !== "GET" && request.method !== "HEAD") {
      init.body = typeof request.body === "string" ? request.body : JSON.stringify(request.body);
    }
    const response = await props.auth.handler(new Request(url, init));
    if (request.method !== "GET") sessions.clear();
    reply.status(response.status);
    for (const [name, value] of response.headers) {
      if (name.toLowerCase() !== "set-cookie") reply.header(name, value);
    }
    const cookies = response.headers.getSetCookie();
    if (cookies.length > 0) reply.header("set-cookie", cookies);
    const text = await response.text();
    if (response.status >= 400) {
      const parsed = safeJson(text) as { message?: string; code?: string } | undefined;
      return reply
        .type("application/json")
        .send(
          body((parsed?.code ?? "auth_failed").toLowerCase(), parsed?.message ?? "Authentication failed."),
        );
    }
    return reply.send(text);
  };
  app.post("/api/auth/sign-in/email", {
    config: { access: "public", rateLimit: { max: props.loginRateLimit, timeWindow: "1 minute" } },
    schema: {
      tags: ["auth"],
      summary: "Sign in with e-mail and password; sets the session cookie.",
      security: [],
      body: z.object({ email: z.email(), password: z.string().min(1), rememberMe: z.boolean().optional() }),
    },
    handler: authHandler,
  });
  app.route({
    method: ["GET", "POST"],
    url: "/api/auth/*",
    config: { access: "public", rateLimit: { max: props.loginRateLimit * 6, timeWindow: "1 minute" } },
    schema: {
      tags: ["auth"],
      summary: "Accounts and sessions (better-auth): sign-out, session, two-factor.",
      security: [],
    },
    handler: authHandler,
  });

  app.get(
    "/healthz",
    { config: { access: "public" }, schema: { tags: ["operations"], security: [] } },
    async () => ({ status: "ok" }),
  );
  app.get(
    "/readyz",
    { config: { access: "public" }, schema: { tags: ["operations"], security: [] } },
    async (_request, reply) => {
      try {
        await props.database.ping();
      } catch {
        return reply.status(503).send(body("database_unreachable", "The database does not answer."));
      }
      if (!(await migrationsApplied(props.database))) {
        return reply.status(503).send(body("migrations_pending", "Database migrations are not applied yet."));
      }
      return { status: "ready" };
    },
  );
  app.get(
    "/metrics",
    {
      config: { access: "public" },
      schema: { tags: ["operations"], summary: "Prometheus metrics.", security: [] },
    },
    async (_request, reply) => {
      reply.type(metrics.contentType);
      return metrics.render();
    },
  );
  app.get(
    "/api/openapi.json",
    {
      config: { access: "public" },
      schema: { tags: ["operations"], summary: "This OpenAPI 3.1 document.", security: [] },
    },
    async () => app.swagger(),
  );

  if (props.webRoot && existsSync(path.join(props.webRoot, "index.html"))) {
    await app.register(fastifyStatic, { root: props.webRoot, wildcard: false, index: false, prefix: "/" });
  }
  app.setNotFoundHandler((request, reply) => {
    const isApi = request.url.startsWith("/api/") || request.url === "/api";
    if (
      !isApi &&
      request.method === "GET" &&
      props.webRoot &&
      existsSync(path.join(props.webRoot, "index.html"))
    ) {
      return reply.type("text/html").sendFile("index.html");
    }
    return reply
      .status(404)
      .send(body("not_found", `There is no ${request.method} ${request.url.split("?")[0]}.`));
  });

  return app;
}

async function authenticate(
  request: FastifyRequest,
  auth: Auth,
  directory: AccessDirectory,
  sessions: TtlCache<string, Omit<Principal, "activeOrganizationId"> | undefined>,
): Promise<Principal | undefined> {
  const authorization = request.headers.authorization;
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match) throw new UnauthorizedError('Send the API token as "Authorization: Bearer <token>".');
    const principal = await directory.verifyApiToken(match[1]!);
    if (!principal) throw new UnauthorizedError("This API token is unknown, revoked or expired.");
    return principal;
  }
  const cookie = request.headers.cookie;
  const sessionToken = cookie ? sessionCookiePattern.exec(cookie)?.[1] : undefined;
  if (!sessionToken) return undefined;
  const principal = await sessions.getOrLoad(sessionToken, async () => {
    const result = await auth.api.getSession({ headers: fromNodeHeaders(request.headers) });
    if (!result) return undefined;
    return {
      userId: result.user.id,
      email: result.user.email,
      name: result.user.name,
      via: "session" as const,
      sessionId: result.session.id,
    };
  });
  if (!principal) return undefined;
  return { ...principal, activeOrganizationId: organizationCookiePattern.exec(cookie!)?.[1] ?? null };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value || undefined;
}

function refererOrigin(referer: string | undefined): string | undefined {
  if (!referer || !URL.canParse(referer)) return undefined;
  return new URL(referer).origin;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
