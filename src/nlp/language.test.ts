import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { detectLanguage } from "./language.js";
import { prepareText } from "./text.js";

const lang = (text: string) => detectLanguage(prepareText(text).tokens);

describe("language of short social posts", () => {
  it.each([
    ["@DB_Bahn warum ist der Zug schon wieder zu spät?", "de"],
    ["Danke für die schnelle Hilfe!", "de"],
    ["Verspätung in Köln, mal wieder 😡", "de"],
    ["Klimaanlage kaputt, 35 Grad im ICE", "de"],
    ["@united thanks for the quick help!", "en"],
    ["My flight was cancelled again", "en"],
    ["still waiting for my bag at the airport", "en"],
    ["Merci pour votre aide, le train est toujours en retard", "fr"],
    ["Gracias, el tren llegó muy tarde hoy", "es"],
    ["Grazie, il treno è sempre in ritardo", "it"],
    ["Bedankt, de trein heeft weer vertraging", "nl"],
    ["Obrigado, o trem está sempre atrasado", "pt"],
    ["Tren yine geç kaldı, çok teşekkür ederim", "tr"],
    ["Dziękuję, pociąg jest znowu spóźniony", "pl"],
  ])("%s → %s", (text, code) => {
    const r = lang(text);
    expect(r.code).toBe(code);
    expect(r.confidence).toBeGreaterThan(0);
  });

  it("says undetermined, with zero confidence, when there are no words", () => {
    for (const text of ["", "😀😀😀", "https://example.com/x", "@someone 12:30", "!!!"]) {
      expect(lang(text)).toMatchObject({ code: "und", confidence: 0 });
    }
  });

  const data = "../shared/data";
  it.skipIf(!existsSync(data))(
    "is right on ≥ 97 % of German and English posts cut to tweet length (skipped without ../shared/data)",
    () => {
      const sample = (file: string, code: string) => {
        const rows = readFileSync(`${data}/${file}`, "utf8").trim().split("\n").slice(0, 1500);
        let right = 0;
        let decided = 0;
        for (const row of rows) {
          const r = lang((JSON.parse(row) as { text: string }).text.slice(0, 140));
          if (r.code === "und") continue;
          decided++;
          if (r.code === code) right++;
        }
        return right / decided;
      };
      expect(sample("germeval2018/train.jsonl", "de")).toBeGreaterThan(0.97);
      expect(sample("airline-tweets/train.jsonl", "en")).toBeGreaterThan(0.97);
    },
  );
});
