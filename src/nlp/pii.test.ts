import { describe, expect, it } from "vitest";
import { findPii, isValidIban, validatePiiPatterns } from "./pii.js";

const types = (text: string) => findPii(text).map((s) => `${s.type}:${s.text}`);

describe("personal data in a post", () => {
  it("accepts IBANs whose mod-97 checksum is right and rejects those with a wrong digit", () => {
    expect(isValidIban("DE89 3704 0044 0532 0130 00")).toBe(true);
    expect(isValidIban("DE89370400440532013000")).toBe(true);
    expect(isValidIban("GB82 WEST 1234 5698 7654 32")).toBe(true);
    expect(isValidIban("DE89 3704 0044 0532 0130 01")).toBe(false);
    expect(isValidIban("DE89 3704 0044 0532 0130")).toBe(false);
    expect(isValidIban("XX00")).toBe(false);
  });

  it("finds a valid IBAN with its offsets and ignores an invalid one (not even as a phone number)", () => {
    const text = "Bitte auf DE89 3704 0044 0532 0130 00 erstatten, nicht DE89 3704 0044 0532 0130 01!";
    const spans = findPii(text);
    expect(spans).toEqual([{ type: "iban", start: 10, end: 37, text: "DE89 3704 0044 0532 0130 00" }]);
    expect(text.slice(spans[0].start, spans[0].end)).toBe(spans[0].text);
  });

  it("finds German phone numbers in their usual spellings", () => {
    expect(types("Ruf an: 0170 1234567 oder +49 (0)30 123 456 78 oder 030/1234567.")).toEqual([
      "phone:0170 1234567",
      "phone:+49 (0)30 123 456 78",
      "phone:030/1234567",
    ]);
  });

  it("finds English phone numbers", () => {
    expect(types("Call (555) 123-4567 or +1 555 123 4567 or +44 20 7946 0958")).toEqual([
      "phone:(555) 123-4567",
      "phone:+1 555 123 4567",
      "phone:+44 20 7946 0958",
    ]);
  });

  it("does not take dates, times, prices or train numbers for phone numbers", () => {
    expect(findPii("Am 23.11.2026 um 12:30 fuhr ICE 1234 für 49,90 € ab, Gleis 7")).toEqual([]);
  });

  it("finds e-mail addresses but not @mentions", () => {
    expect(types("@DB_Bahn schreibt an max.mustermann+bahn@example.co.uk zurück")).toEqual([
      "email:max.mustermann+bahn@example.co.uk",
    ]);
  });

  it("finds German addresses with and without postcode", () => {
    expect(types("Ich wohne Hauptstraße 12, 10115 Berlin und arbeite Am Markt 3")).toEqual([
      "address:Hauptstraße 12, 10115 Berlin",
      "address:Am Markt 3",
    ]);
    expect(types("Lieferung an Berliner Straße 5a, 60311 Frankfurt am Main bitte")).toEqual([
      "address:Berliner Straße 5a, 60311 Frankfurt am Main",
    ]);
  });

  it("finds English addresses", () => {
    expect(types("Ship it to 221B Baker Street, London NW1 6XE please")).toEqual([
      "address:221B Baker Street, London NW1 6XE",
    ]);
    expect(types("I live at 1600 Pennsylvania Avenue NW, Washington, DC 20500.")).toEqual([
      "address:1600 Pennsylvania Avenue NW, Washington, DC 20500",
    ]);
  });

  it("reports an organization's customer and order numbers by its own patterns", () => {
    const spans = findPii("Kundennummer KD-123456, Bestellung #A-2026-0042", [
      { type: "customer_number", pattern: "KD-\\d{6}" },
      { type: "order_number", pattern: /#A-\d{4}-\d{4}/ },
    ]);
    expect(spans.map((s) => `${s.type}:${s.text}`)).toEqual([
      "customer_number:KD-123456",
      "order_number:#A-2026-0042",
    ]);
  });

  it("ignores a pattern that does not compile when analysing, and names it when configuring", () => {
    expect(findPii("KD-1", [{ type: "broken", pattern: "KD-(" }])).toEqual([]);
    expect(() => validatePiiPatterns([{ type: "broken", pattern: "KD-(" }])).toThrow(/broken/);
  });
});
