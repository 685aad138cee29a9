import {
  Alert,
  Button,
  Code,
  Group,
  Modal,
  SegmentedControl,
  Stack,
  Switch,
  Text,
  Textarea,
  TextInput,
  Tooltip,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { IconAlertTriangle, IconCircleCheck } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import type { QueryErrorCode } from "../../../../src/modules/listening/queryLanguage/queryAst.js";
import { api } from "../../api/client.js";
import { useApiMutation } from "../../api/mutations.js";
import type { ListeningQuery, QuerySyntaxCheck } from "../../api/types.js";
import { ErrorAlert } from "../../app/RouteStates.js";

export const queryKinds = ["brand", "competitor", "campaign", "topic"] as const;
type QueryKind = (typeof queryKinds)[number];

export interface QueryDraft {
  id?: string;
  name: string;
  kind: QueryKind;
  expression: string;
  isActive: boolean;
}

/** What a helper button puts into the expression: text at the cursor, or around the selection. */
type Snippet = { insert: string } | { before: string; after: string };
type SnippetKey =
  | "and"
  | "or"
  | "not"
  | "group"
  | "phrase"
  | "prefix"
  | "hashtag"
  | "handle"
  | "lang"
  | "channel"
  | "author";
const snippets: { key: SnippetKey; label: string; snippet: Snippet }[] = [
  { key: "and", label: "AND", snippet: { insert: " AND " } },
  { key: "or", label: "OR", snippet: { insert: " OR " } },
  { key: "not", label: "NOT", snippet: { insert: " NOT " } },
  { key: "group", label: "( )", snippet: { before: "(", after: ")" } },
  { key: "phrase", label: '"…"', snippet: { before: '"', after: '"' } },
  { key: "prefix", label: "wort*", snippet: { insert: "*" } },
  { key: "hashtag", label: "#", snippet: { insert: "#" } },
  { key: "handle", label: "@", snippet: { insert: "@" } },
  { key: "lang", label: "lang:", snippet: { insert: " lang:de" } },
  { key: "channel", label: "channel:", snippet: { insert: " channel:bluesky" } },
  { key: "author", label: "author:", snippet: { insert: " author:@" } },
];

/** Create or change a listening query, with the server's syntax check as one types. */
export function QueryBuilder({ draft, onClose }: { draft: QueryDraft; onClose: () => void }) {
  const { t } = useTranslation();
  const [value, setValue] = useState(draft);
  const area = useRef<HTMLTextAreaElement>(null);
  const [expression] = useDebouncedValue(value.expression, 250);
  const check = useQuery({
    queryKey: ["query-syntax", expression],
    queryFn: ({ signal }) =>
      api<QuerySyntaxCheck>("/api/v1/listening/queries/validate", {
        method: "POST",
        body: { expression },
        signal,
      }),
    enabled: expression.trim().length > 0,
    staleTime: Number.POSITIVE_INFINITY,
  });
  const save = useApiMutation(
    ({ id, ...body }: QueryDraft) =>
      id
        ? api<ListeningQuery>(`/api/v1/listening/queries/${id}`, { method: "PATCH", body })
        : api<ListeningQuery>("/api/v1/listening/queries", { method: "POST", body }),
    [["listening-queries"]],
  );
  const checked = check.data && expression === value.expression ? check.data : undefined;
  const invalid = checked?.valid === false;

  const apply = (snippet: Snippet) => {
    const element = area.current;
    const text = value.expression;
    const start = element?.selectionStart ?? text.length;
    const end = element?.selectionEnd ?? text.length;
    const [before, middle, after] = [text.slice(0, start), text.slice(start, end), text.slice(end)];
    const inserted = "insert" in snippet ? snippet.insert : `${snippet.before}${middle}${snippet.after}`;
    const next = `${before}${inserted}${after}`.replace(/^ +/, "");
    const cursor = next.length - after.length - ("insert" in snippet || middle ? 0 : snippet.after.length);
    setValue({ ...value, expression: next });
    requestAnimationFrame(() => {
      element?.focus();
      element?.setSelectionRange(cursor, cursor);
    });
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate({ ...value, name: value.name.trim() }, { onSuccess: onClose });
  };

  return (
    <Modal
      opened
      onClose={onClose}
      title={value.id ? t("queries.editTitle") : t("queries.add")}
      size="xl"
      centered
    >
      <form onSubmit={submit}>
        <Stack gap="sm">
          {save.error && <ErrorAlert error={save.error} />}
          <TextInput
            label={t("queries.name")}
            value={value.name}
            onChange={(event) => setValue({ ...value, name: event.currentTarget.value })}
            required
            maxLength={200}
            data-autofocus
          />
          <Stack gap={4}>
            <Text size="sm" fw={500} id="query-kind-label">
              {t("queries.kind")}
            </Text>
            <SegmentedControl
              aria-labelledby="query-kind-label"
              value={value.kind}
              onChange={(kind) => setValue({ ...value, kind: kind as QueryKind })}
              data={queryKinds.map((kind) => ({ value: kind, label: t(`queries.kinds.${kind}`) }))}
            />
          </Stack>
          <Stack gap={4}>
            <Group gap={4} role="toolbar" aria-label={t("queries.helper")}>
              {snippets.map(({ key, label, snippet }) => (
                <Tooltip key={key} label={t(`queries.snippets.${key}`)} withinPortal openDelay={300}>
                  <Button
                    size="compact-xs"
                    variant="light"
                    color="gray"
                    className="mono"
                    aria-label={t(`queries.snippets.${key}`)}
                    onClick={() => apply(snippet)}
                  >
                    {label}
                  </Button>
                </Tooltip>
              ))}
            </Group>
            <Textarea
              ref={area}
              label={t("queries.expression")}
              description={t("queries.expressionHint")}
              value={value.expression}
              onChange={(event) => setValue({ ...value, expression: event.currentTarget.value })}
              required
              autosize
              minRows={3}
              maxLength={2000}
              spellCheck={false}
              classNames={{ input: "mono" }}
              error={invalid || undefined}
              aria-describedby="query-syntax"
            />
          </Stack>
          <div id="query-syntax" aria-live="polite">
            <SyntaxResult expression={value.expression} checked={checked} />
          </div>
          <Switch
            label={t("queries.active")}
            checked={value.isActive}
            onChange={(event) => setValue({ ...value, isActive: event.currentTarget.checked })}
          />
          <Group justify="flex-end" gap="sm" mt="xs">
            <Button variant="default" onClick={onClose}>
              {t("app.cancel")}
            </Button>
            <Button
              type="submit"
              loading={save.isPending}
              disabled={!value.name.trim() || !value.expression.trim() || invalid}
            >
              {value.id ? t("app.save") : t("app.create")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** The check's answer: how the query is read, or where it is wrong and what to do. */
function SyntaxResult({ expression, checked }: { expression: string; checked?: QuerySyntaxCheck }) {
  const { t, i18n } = useTranslation();
  if (!checked) return null;
  if (checked.valid) {
    return (
      <Alert color="teal" variant="light" icon={<IconCircleCheck size={18} />} title={t("queries.syntaxOk")}>
        <Text size="xs" c="dimmed">
          {t("queries.understoodAs")} <Code>{checked.description}</Code>
        </Text>
      </Alert>
    );
  }
  const error = checked.error!;
  const start = Math.min(error.position, expression.length);
  const end = Math.min(start + Math.max(error.length, 1), expression.length);
  const code = error.code as QueryErrorCode;
  const said = i18n.language.startsWith("de") ? error.de : error;
  return (
    <Alert
      color="red"
      variant="light"
      icon={<IconAlertTriangle size={18} />}
      title={`${errorKeys[code] ? t(`queryErrors.${code}`) : error.message} · ${t("queries.atPosition", { position: error.position + 1 })}`}
      role="alert"
      className="query-syntax-error"
    >
      <Stack gap={6}>
        <pre className="query-error-source mono">
          {expression.slice(0, start)}
          <mark>{expression.slice(start, end) || " "}</mark>
          {expression.slice(end)}
        </pre>
        <Text size="sm">{said.message}</Text>
        <Text size="sm">{t("queries.hint", { hint: said.hint })}</Text>
      </Stack>
    </Alert>
  );
}

/** Error codes of the query language that the UI names in its own words. */
const errorKeys: Record<QueryErrorCode, true> = {
  empty_query: true,
  query_too_long: true,
  too_deeply_nested: true,
  too_many_terms: true,
  unclosed_parenthesis: true,
  unopened_parenthesis: true,
  empty_parentheses: true,
  unclosed_quote: true,
  empty_phrase: true,
  missing_term_after_operator: true,
  missing_term_before_operator: true,
  lone_minus: true,
  unknown_filter: true,
  invalid_filter_value: true,
  invalid_wildcard: true,
  invalid_hashtag: true,
  invalid_handle: true,
  nothing_to_match: true,
  only_exclusions: true,
};
