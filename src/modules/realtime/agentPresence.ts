import { and, eq, gt, sql } from "drizzle-orm";
import type { DbOrTx } from "../../platform/db/client.js";
import { agentPresence } from "./schema.js";

/** A member counts as online this long after their inbox's last heartbeat (sent every 25 s). */
export const onlineWindowMs = 60_000;

/** The member's inbox is open right now (stream opened or heartbeat). */
export async function markAgentSeen(
  db: DbOrTx,
  props: { organizationId: string; memberId: string; at: Date },
) {
  await db
    .insert(agentPresence)
    .values({ memberId: props.memberId, organizationId: props.organizationId, lastSeenAt: props.at })
    .onConflictDoUpdate({
      target: agentPresence.memberId,
      set: { organizationId: props.organizationId, lastSeenAt: props.at },
    });
}

/** The member closed the inbox: no longer counted, unless another of their tabs beats again. */
export async function markAgentGone(db: DbOrTx, props: { memberId: string; at: Date }) {
  await db
    .update(agentPresence)
    .set({ lastSeenAt: new Date(props.at.getTime() - onlineWindowMs) })
    .where(eq(agentPresence.memberId, props.memberId));
}

/** How many members of the organization have an inbox open. */
export async function countAgentsOnline(db: DbOrTx, organizationId: string, at: Date): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(agentPresence)
    .where(
      and(
        eq(agentPresence.organizationId, organizationId),
        gt(agentPresence.lastSeenAt, new Date(at.getTime() - onlineWindowMs)),
      ),
    );
  return row?.n ?? 0;
}
