import {
  NumberInput,
  PasswordInput,
  Select,
  Stack,
  Switch,
  TagsInput,
  Textarea,
  TextInput,
} from "@mantine/core";
import { useTranslation } from "react-i18next";
import type { ConnectorFieldInfo } from "../../api/types.js";

export type FieldValues = Record<string, unknown>;

/**
 * The fields of one part (settings or credentials) of a connector, rendered from the description the
 * server derives from the connector's schemas: a new connector's form needs no change here.
 */
export function ConnectorFields({
  fields,
  values,
  onChange,
}: {
  fields: ConnectorFieldInfo[];
  values: FieldValues;
  onChange: (values: FieldValues) => void;
}) {
  const { t, i18n } = useTranslation();
  const set = (name: string, value: unknown) => onChange({ ...values, [name]: value });
  return (
    <Stack gap="sm">
      {fields.map((field) => {
        const label = i18n.exists(field.labelKey) ? t(field.labelKey as never) : field.label;
        const hintKey = `${field.labelKey}Hint`;
        const description = i18n.exists(hintKey) ? t(hintKey as never) : field.description;
        const common = {
          label,
          description,
          required: field.required,
          name: `${field.group}.${field.name}`,
        };
        const value = values[field.name];
        if (field.secret) {
          return (
            <PasswordInput
              key={field.name}
              {...common}
              autoComplete="new-password"
              maxLength={field.maxLength}
              value={typeof value === "string" ? value : ""}
              onChange={(event) => set(field.name, event.currentTarget.value)}
            />
          );
        }
        switch (field.type) {
          case "number":
            return (
              <NumberInput
                key={field.name}
                {...common}
                min={field.min}
                max={field.max}
                allowDecimal={!field.integer}
                placeholder={field.default !== undefined ? String(field.default) : undefined}
                value={typeof value === "number" ? value : ""}
                onChange={(next) => set(field.name, typeof next === "number" ? next : undefined)}
              />
            );
          case "boolean":
            return (
              <Switch
                key={field.name}
                label={label}
                description={description}
                name={common.name}
                checked={typeof value === "boolean" ? value : field.default === true}
                onChange={(event) => set(field.name, event.currentTarget.checked)}
              />
            );
          case "list":
            return (
              <TagsInput
                key={field.name}
                {...common}
                description={description ?? t("channelSettings.listHint")}
                splitChars={[",", " ", "\n"]}
                acceptValueOnBlur
                clearable
                value={Array.isArray(value) ? (value as string[]) : []}
                onChange={(next) => set(field.name, next)}
              />
            );
          case "select":
            return (
              <Select
                key={field.name}
                {...common}
                data={field.options ?? []}
                allowDeselect={!field.required}
                value={typeof value === "string" ? value : null}
                onChange={(next) => set(field.name, next ?? undefined)}
              />
            );
          case "json":
            return (
              <Textarea
                key={field.name}
                {...common}
                autosize
                minRows={2}
                ff="monospace"
                value={typeof value === "string" ? value : value === undefined ? "" : JSON.stringify(value)}
                onChange={(event) => set(field.name, event.currentTarget.value)}
              />
            );
          default:
            return (
              <TextInput
                key={field.name}
                {...common}
                type={field.type === "url" ? "url" : "text"}
                inputMode={field.type === "url" ? "url" : undefined}
                maxLength={field.maxLength}
                placeholder={typeof field.default === "string" ? field.default : undefined}
                value={typeof value === "string" ? value : ""}
                onChange={(event) => set(field.name, event.currentTarget.value)}
              />
            );
        }
      })}
    </Stack>
  );
}

/** Starting values: what is stored (editing) or nothing, so the connector's defaults apply. */
export function initialValues(fields: ConnectorFieldInfo[], stored: FieldValues = {}): FieldValues {
  const values: FieldValues = {};
  for (const field of fields) {
    const current = stored[field.name];
    if (current !== undefined && current !== null) values[field.name] = current;
    else if (field.type === "list" && Array.isArray(field.default)) values[field.name] = field.default;
  }
  return values;
}

/** What is sent: empty optional fields left out (the server fills its defaults), JSON fields parsed. */
export function toPayload(fields: ConnectorFieldInfo[], values: FieldValues): FieldValues {
  const payload: FieldValues = {};
  for (const field of fields) {
    let value = values[field.name];
    if (typeof value === "string" && !field.secret) value = value.trim();
    if (value === undefined || value === "" || value === null) continue;
    if (field.type === "json" && typeof value === "string") {
      try {
        value = JSON.parse(value);
      } catch {
        // Sent as typed: the server says what is wrong with it.
      }
    }
    payload[field.name] = value;
  }
  return payload;
}
