import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../support/app.js";
import { testBackend } from "../support/database.js";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

describe(`operations endpoints and the API description (${testBackend})`, () => {
  it("serves a valid OpenAPI 3.1 document that lists every route", async () => {
    const response = await t.app.inject({ method: "GET", url: "/api/openapi.json" });
    expect(response.statusCode).toBe(200);
    const document = response.json();
    expect(document.openapi).toBe("3.1.0");
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    for (const route of t.app.konversaRoutes) {
      if (route.url.startsWith("/api/docs")) continue;
      const path = route.url.replace(/:(\w+)/g, "{$1}").replace(/\*$/, "{*}");
      const entry = document.paths[path] ?? document.paths[route.url];
      expect(entry, `${route.method} ${route.url} is missing from the OpenAPI document`).toBeDefined();
      expect(entry[route.method.toLowerCase()], `${route.method} ${route.url}`).toBeDefined();
    }
  });

  it("has a browsable API reference", async () => {
    const response = await t.app.inject({ method: "GET", url: "/api/docs/" });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain("swagger");
  });

  it("reports health, readiness and Prometheus metrics", async () => {
    expect((await t.app.inject({ method: "GET", url: "/healthz" })).json()).toEqual({ status: "ok" });
    expect((await t.app.inject({ method: "GET", url: "/readyz" })).json()).toEqual({ status: "ready" });
    const metrics = await t.app.inject({ method: "GET", url: "/metrics" });
    expect(metrics.headers["content-type"]).toMatch(/text\/plain/);
    expect(metrics.body).toContain("konversa_http_request_duration_seconds");
  });

  it("sends security headers and answers unknown API paths with a JSON 404", async () => {
    const response = await t.app.inject({ method: "GET", url: "/api/v1/nothing-here" });
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe("not_found");
    expect(response.headers["content-security-policy"]).toContain("default-src");
    expect(response.headers["x-content-type-options"]).toBe("nosniff");
    expect(response.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("refuses bodies over the size limit with a sentence", async () => {
    const response = await t.app.inject({
      method: "POST",
      url: "/api/auth/sign-in/email",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({ email: "a@b.de", password: "x".repeat(2 * 1024 * 1024) }),
    });
    expect(response.statusCode).toBe(413);
    expect(response.json().error.message).toMatch(/too large/);
  });
});
