import { Alert } from "@mantine/core";
import { IconLock } from "@tabler/icons-react";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { useMe } from "../../api/useMe.js";

/** The server answers 403 to others anyway; this says so before anybody tries. */
export function AdminOnly({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const me = useMe();
  if (!me.isAdmin) {
    return (
      <Alert color="gray" variant="light" icon={<IconLock size={18} />}>
        {t("settings.adminOnly")}
      </Alert>
    );
  }
  return <>{children}</>;
}
