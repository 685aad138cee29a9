import { Button, Modal, SegmentedControl, Select, Stack, Textarea } from "@mantine/core";
import { IconShare3 } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../../api/client.js";
import { useApiMutation } from "../../api/mutations.js";
import { departmentsQuery } from "../../api/queries.js";
import { ErrorAlert } from "../../app/RouteStates.js";

/** "Forward to department": a mention or a conversation becomes an insight card with a note. */
export function ForwardButton({
  mentionId,
  conversationId,
}: {
  mentionId?: string;
  conversationId?: string;
}) {
  const { t } = useTranslation();
  const [opened, setOpened] = useState(false);
  const [done, setDone] = useState<string>();
  return (
    <>
      <Button
        size="compact-xs"
        variant="light"
        color="grape"
        leftSection={<IconShare3 size={14} />}
        onClick={() => setOpened(true)}
      >
        {done ? t("core.forward.done", { department: done }) : t("core.forward.button")}
      </Button>
      {opened && (
        <ForwardDialog
          mentionId={mentionId}
          conversationId={conversationId}
          onClose={(department) => {
            setOpened(false);
            if (department) setDone(department);
          }}
        />
      )}
    </>
  );
}

function ForwardDialog({
  mentionId,
  conversationId,
  onClose,
}: {
  mentionId?: string;
  conversationId?: string;
  onClose: (forwardedTo?: string) => void;
}) {
  const { t } = useTranslation();
  const departments = useQuery(departmentsQuery);
  const [departmentId, setDepartmentId] = useState<string | null>(null);
  const [note, setNote] = useState("");
  const [kind, setKind] = useState<"insight" | "lead">("insight");
  const forward = useApiMutation(
    () =>
      api("/api/v1/insights", {
        method: "POST",
        body: { departmentId, note, kind, mentionId, conversationId },
      }),
    [["insights"]],
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    forward.mutate(undefined, {
      onSuccess: () => onClose(departments.data?.find((d) => d.id === departmentId)?.name),
    });
  };
  return (
    <Modal opened onClose={() => onClose()} title={t("core.forward.title")} size="md">
      <form onSubmit={submit}>
        <Stack gap="sm">
          <Select
            label={t("core.forward.department")}
            data={(departments.data ?? []).map((d) => ({ value: d.id, label: d.name }))}
            value={departmentId}
            onChange={setDepartmentId}
            required
            comboboxProps={{ withinPortal: true }}
          />
          <SegmentedControl
            aria-label={t("core.forward.kind")}
            value={kind}
            onChange={(value) => setKind(value as "insight" | "lead")}
            data={[
              { value: "insight", label: t("core.kinds.insight") },
              { value: "lead", label: t("core.kinds.lead") },
            ]}
          />
          <Textarea
            label={t("core.forward.note")}
            placeholder={t("core.forward.notePlaceholder")}
            value={note}
            onChange={(event) => setNote(event.currentTarget.value)}
            autosize
            minRows={3}
            required
          />
          {forward.error && <ErrorAlert error={forward.error} />}
          <Button type="submit" loading={forward.isPending} disabled={!departmentId || !note.trim()}>
            {t("core.forward.submit")}
          </Button>
        </Stack>
      </form>
    </Modal>
  );
}
