import { z } from "zod";

/** Building blocks shared by the route schemas of every module. */
export const uuidParam = z.uuid({ message: "must be an id (UUID)" });
export const idParams = <K extends string>(name: K) =>
  z.object({ [name]: uuidParam } as Record<K, typeof uuidParam>);
/** A yes/no query parameter: `?open=true`. */
export const booleanQuery = z.enum(["true", "false"]).transform((v) => v === "true");
export const limitQuery = z.coerce.number().int().min(1).max(200).default(50);
export const errorResponse = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});
export const okResponse = z.object({ ok: z.literal(true) });
/** Timestamps leave the API as ISO 8601 strings (OpenAPI: string, format date-time). */
export const isoDate = z.date();
