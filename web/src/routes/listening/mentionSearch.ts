import { type MentionFilter, networks, sentiments } from "../../api/listening.js";
import { rangeDates, type TimeRange, timeRanges } from "./timeRange.js";

/** The mentions page's filters as they stand in the address, so a filtered view can be linked. */
export type MentionSearch = Omit<MentionFilter, "from" | "to"> & { range?: TimeRange };

const text = (value: unknown, max: number) =>
  typeof value === "string" && value.trim() ? value.trim().slice(0, max) : undefined;
const oneOf = <T extends string>(list: readonly T[], value: unknown): T | undefined =>
  (list as readonly unknown[]).includes(value) ? (value as T) : undefined;
const flag = (value: unknown) =>
  value === true || value === "true" ? true : value === false || value === "false" ? false : undefined;

export function validateMentionSearch(search: Record<string, unknown>): MentionSearch {
  const parsed: MentionSearch = {
    q: text(search.q, 500),
    range: oneOf(timeRanges, search.range),
    queryId: text(search.queryId, 36),
    network: oneOf(networks, search.network),
    sentiment: oneOf(sentiments, search.sentiment),
    aspect: text(search.aspect, 100),
    language: /^[a-z]{2}$/.test(String(search.language)) ? String(search.language) : undefined,
    offensive: flag(search.offensive),
    relevant: flag(search.relevant),
    hasPii: flag(search.hasPii),
  };
  return Object.fromEntries(Object.entries(parsed).filter(([, v]) => v !== undefined)) as MentionSearch;
}

/** The API's filter for a search: the time range becomes a start, open towards now (new posts). */
export function mentionFilterOf(search: MentionSearch): MentionFilter {
  const { range, ...rest } = search;
  return { ...rest, from: range ? rangeDates(range).from : undefined };
}
