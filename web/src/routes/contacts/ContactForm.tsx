import { Button, Group, Modal, Select, Stack, TagsInput, Textarea, TextInput } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { companiesQuery } from "../../api/contacts.js";
import { membersQuery } from "../../api/queries.js";
import { ErrorAlert } from "../../app/RouteStates.js";

/** "key = value" lines ↔ attributes. */
export function parseAttributes(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const at = line.indexOf("=");
    if (at <= 0) continue;
    const key = line.slice(0, at).trim();
    if (key) out[key] = line.slice(at + 1).trim();
  }
  return out;
}

export interface ContactFormValues {
  displayName: string;
  email: string | null;
  phone: string | null;
  tags: string[];
  companyId: string | null;
  ownerUserId: string | null;
  attributes: Record<string, string>;
}

/**
 * The contact dialog of the list (new contact: name, e-mail, tags, attributes) and of the contact
 * page (`complete`: also phone, company and owner). Says what the person entered; the caller saves.
 */
export function ContactFormModal(props: {
  title: string;
  submitLabel: string;
  initial?: Partial<ContactFormValues>;
  complete?: boolean;
  pending: boolean;
  error: unknown;
  onSubmit: (values: ContactFormValues) => void;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { initial = {}, complete = false } = props;
  const companies = useQuery({ ...companiesQuery, enabled: complete });
  const members = useQuery({ ...membersQuery, retry: false, enabled: complete });
  const [name, setName] = useState(initial.displayName ?? "");
  const [email, setEmail] = useState(initial.email ?? "");
  const [phone, setPhone] = useState(initial.phone ?? "");
  const [tags, setTags] = useState(initial.tags ?? []);
  const [companyId, setCompanyId] = useState(initial.companyId ?? null);
  const [ownerUserId, setOwnerUserId] = useState(initial.ownerUserId ?? null);
  const [attributes, setAttributes] = useState(
    Object.entries(initial.attributes ?? {})
      .map(([k, v]) => `${k} = ${v}`)
      .join("\n"),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    props.onSubmit({
      displayName: name,
      email: email || null,
      phone: phone || null,
      tags,
      companyId,
      ownerUserId,
      attributes: parseAttributes(attributes),
    });
  };
  return (
    <Modal opened onClose={props.onClose} title={props.title}>
      <form onSubmit={submit}>
        <Stack gap="sm">
          <TextInput
            label={t("c360.name")}
            required
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
          />
          <TextInput
            label={t("c360.email")}
            type={complete ? undefined : "email"}
            value={email}
            onChange={(e) => setEmail(e.currentTarget.value)}
          />
          {complete && (
            <TextInput
              label={t("c360.phone")}
              value={phone}
              onChange={(e) => setPhone(e.currentTarget.value)}
            />
          )}
          <TagsInput
            label={t("c360.tags")}
            description={t("c360.tagsHint")}
            value={tags}
            onChange={setTags}
          />
          {complete && (
            <>
              <Select
                label={t("c360.company")}
                placeholder={t("c360.noCompany")}
                clearable
                data={(companies.data?.companies ?? []).map((c) => ({ value: c.id, label: c.name }))}
                value={companyId}
                onChange={setCompanyId}
              />
              <Select
                label={t("c360.owner")}
                placeholder={t("c360.noOwner")}
                clearable
                data={(members.data ?? []).map((m) => ({ value: m.userId, label: m.name }))}
                value={ownerUserId}
                onChange={setOwnerUserId}
              />
            </>
          )}
          <Textarea
            label={t("c360.attributes")}
            description={t("c360.attributesHint")}
            autosize
            minRows={2}
            value={attributes}
            onChange={(e) => setAttributes(e.currentTarget.value)}
          />
          {Boolean(props.error) && <ErrorAlert error={props.error} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={props.onClose}>
              {t("c360.cancel")}
            </Button>
            <Button type="submit" loading={props.pending}>
              {props.submitLabel}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
