import { and, desc, eq } from "drizzle-orm";
import type { EmailFollowUp } from "../../connectors/connector.js";
import { decryptSecret } from "../../platform/crypto/secrets.js";
import type { DbOrTx } from "../../platform/db/client.js";
import { smtpSettings } from "../organizations/schema.js";
import { webchatSession } from "./schema.js";

/**
 * Where an agent's reply goes when the conversation's web chat went on by e-mail: the visitor's
 * address and the organization's SMTP server (password decrypted). Undefined for every other
 * conversation, which the connector answers on its network.
 */
export async function emailFollowUpFor(
  deps: { db: DbOrTx; secretsKey: Buffer },
  conversationId: string,
): Promise<EmailFollowUp | undefined> {
  const [session] = await deps.db
    .select()
    .from(webchatSession)
    .where(and(eq(webchatSession.conversationId, conversationId), eq(webchatSession.emailFollowUp, true)))
    .orderBy(desc(webchatSession.createdAt))
    .limit(1);
  if (!session) return undefined;
  const [smtp] = await deps.db
    .select()
    .from(smtpSettings)
    .where(eq(smtpSettings.organizationId, session.organizationId));
  return {
    to: session.visitorEmail,
    name: session.visitorName,
    language: session.language,
    startedAt: session.origin,
    smtp: smtp
      ? {
          host: smtp.host,
          port: smtp.port,
          secure: smtp.secure,
          username: smtp.username,
          password: smtp.passwordEncrypted ? decryptSecret(deps.secretsKey, smtp.passwordEncrypted) : null,
          fromAddress: smtp.fromAddress,
        }
      : null,
  };
}
