import { z } from "zod";
import type { Connector } from "./connector.js";

/**
 * What the connect form of Settings → Channels shows for a connector, derived from its settings and
 * credentials schemas: a new network's form appears without any change to the web app. Labels are
 * looked up under `labelKey` in the web app's translations, with `label` as the fallback.
 */
export interface ConnectorField {
  /** The key in `settings` or `credentials`. */
  name: string;
  group: "settings" | "credentials";
  /** text, url, number (integer when `integer`), boolean, list (of text), select (`options`), json. */
  type: "text" | "url" | "number" | "boolean" | "list" | "select" | "json";
  /** Credentials: typed into a password field, stored encrypted, never shown again. */
  secret: boolean;
  required: boolean;
  integer?: boolean;
  min?: number;
  max?: number;
  maxLength?: number;
  options?: string[];
  default?: unknown;
  labelKey: string;
  /** English fallback label (the field's name in words). */
  label: string;
  /** The schema's description, shown as help under the field. */
  description?: string;
}

export interface ConnectorDescription {
  network: string;
  isPrivateByDefault: boolean;
  /** It polls the network (health, last poll, interval, pause make sense). */
  receives: boolean;
  /** It sends replies. */
  sends: boolean;
  fields: ConnectorField[];
}

type JsonSchema = {
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  anyOf?: JsonSchema[];
};

export function describeConnector(connector: Connector<unknown, unknown>): ConnectorDescription {
  return {
    network: connector.network,
    isPrivateByDefault: connector.isPrivateByDefault,
    receives: Boolean(connector.inbound),
    sends: Boolean(connector.outbound),
    fields: [
      ...fieldsOf(connector.network, "settings", connector.account.settingsSchema),
      ...fieldsOf(connector.network, "credentials", connector.account.credentialsSchema),
    ],
  };
}

function fieldsOf(network: string, group: ConnectorField["group"], schema: z.ZodType): ConnectorField[] {
  let json: JsonSchema;
  try {
    json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  } catch {
    return [];
  }
  const required = new Set(json.required ?? []);
  return Object.entries(json.properties ?? {}).map(([name, property]) => {
    const field: ConnectorField = {
      name,
      group,
      type: fieldType(property),
      secret: group === "credentials",
      required: required.has(name),
      labelKey: `connectors.${network}.${name}`,
      label: words(name),
    };
    if (property.type === "integer") field.integer = true;
    if (property.minimum !== undefined) field.min = property.minimum;
    if (property.maximum !== undefined) field.max = property.maximum;
    if (property.maxLength !== undefined) field.maxLength = property.maxLength;
    if (property.enum) field.options = property.enum.map(String);
    if (property.default !== undefined) field.default = property.default;
    if (property.description) field.description = property.description;
    return field;
  });
}

function fieldType(property: JsonSchema): ConnectorField["type"] {
  if (property.enum) return "select";
  switch (property.type) {
    case "string":
      return property.format === "uri" ? "url" : "text";
    case "integer":
    case "number":
      return "number";
    case "boolean":
      return "boolean";
    case "array":
      return property.items?.type === "string" && !property.items.enum ? "list" : "json";
    default:
      return "json";
  }
}

/** `intervalSeconds` → `Interval seconds`. */
function words(name: string): string {
  const spaced = name.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/[_-]+/g, " ");
  return spaced.charAt(0).toUpperCase() + spaced.slice(1).toLowerCase();
}
