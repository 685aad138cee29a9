import { describe, expect, it } from "vitest";
import { TopicClusterer } from "./topics.js";

describe("topic clustering of a stream of posts", () => {
  const posts = [
    { id: "1", text: "Klimaanlage im ICE 597 ausgefallen, 35 Grad im Wagen" },
    { id: "2", text: "Klimaanlage im ICE 597 ausgefallen, 35 Grad im Wagen!!" },
    { id: "3", text: "Im ICE nach München ist die Klimaanlage ausgefallen, unerträglich" },
    { id: "4", text: "Die App zeigt keine Verbindungen mehr an, Absturz beim Start" },
    { id: "5", text: "Seit dem Update stürzt die App beim Start ab" },
    { id: "6", text: "Wunderschöner Sonnenuntergang am Rhein heute" },
  ];

  it("groups near-duplicates and posts about the same issue, and keeps others apart", () => {
    const clusterer = new TopicClusterer();
    const assigned = posts.map((p) => clusterer.add(p));
    expect(assigned[1]).toEqual({ clusterId: assigned[0].clusterId, duplicateOf: "1" });
    expect(assigned[2].clusterId).toBe(assigned[0].clusterId);
    expect(assigned[4].clusterId).toBe(assigned[3].clusterId);
    expect(assigned[3].clusterId).not.toBe(assigned[0].clusterId);
    expect(assigned[5].clusterId).not.toBe(assigned[0].clusterId);
    expect(assigned[5].clusterId).not.toBe(assigned[3].clusterId);
  });

  it("labels each cluster readably and lists the largest first", () => {
    const clusterer = new TopicClusterer();
    for (const p of posts) clusterer.add(p);
    const clusters = clusterer.clusters();
    expect(clusters.map((c) => c.size)).toEqual([3, 2, 1]);
    expect(clusters[0].postIds).toEqual(["1", "2", "3"]);
    expect(clusters[0].duplicateIds).toEqual(["2"]);
    expect(clusters[0].label.toLowerCase()).toContain("klimaanlage");
    expect(clusters[1].label.toLowerCase()).toMatch(/app|start/);
    for (const c of clusters) expect(c.label.length).toBeGreaterThan(0);
  });

  it("copes with posts without words", () => {
    const clusterer = new TopicClusterer();
    clusterer.add({ id: "a", text: "" });
    clusterer.add({ id: "b", text: "😀😀" });
    expect(clusterer.clusters().map((c) => c.size)).toEqual([1, 1]);
  });
});
