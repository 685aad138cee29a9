import { describe, expect, it } from "vitest";
import { pseudonymOf, sha256Hex } from "./pseudonyms.js";

describe("pseudonyms", () => {
  it("are stable per key, differ between keys and hide the handle", () => {
    const key = Buffer.alloc(32, 1);
    const a = pseudonymOf(key, "bluesky", "Anna.bsky.social");
    expect(a).toBe(pseudonymOf(key, "bluesky", "anna.bsky.social "));
    expect(a).not.toBe(pseudonymOf(Buffer.alloc(32, 2), "bluesky", "anna.bsky.social"));
    expect(a).not.toBe(pseudonymOf(key, "mastodon", "anna.bsky.social"));
    expect(a).toMatch(/^author-[0-9a-f]{16}$/);
    expect(a).not.toContain("anna");
  });

  it("hashes like the ad networks' documentation", () => {
    expect(sha256Hex("test@example.com")).toBe(
      "973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b",
    );
  });
});
