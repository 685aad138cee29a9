import fastJson from "fast-json-stringify";
import { type ZodType, z } from "zod";

/**
 * Responses are written by fast-json-stringify from the JSON Schema of the route's zod response
 * schema: as fast as Fastify's own serializer, and like zod it writes only the declared fields, so a
 * column added to a query never leaks into an answer by accident.
 */
export const responseSerializerCompiler = ({ schema }: { schema: ZodType }) => {
  const jsonSchema = z.toJSONSchema(schema, {
    io: "output",
    target: "draft-7",
    unrepresentable: "any",
    override: (ctx) => {
      const def = (ctx.zodSchema as { _zod?: { def?: { type?: string } } })._zod?.def;
      if (def?.type === "date") {
        ctx.jsonSchema.type = "string";
        ctx.jsonSchema.format = "date-time";
      }
      // Records' key constraints do not change how an object is written; fast-json-stringify's
      // strict schema check only complains about them.
      delete ctx.jsonSchema.propertyNames;
    },
  });
  delete (jsonSchema as { $schema?: string }).$schema;
  const stringify = fastJson(jsonSchema as Parameters<typeof fastJson>[0]);
  return (data: unknown) => stringify(data);
};
