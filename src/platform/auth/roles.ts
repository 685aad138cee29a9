/**
 * Roles of a member in an organization. `core_team` is the Social Media Core Team that sees
 * everything and routes it; `agent` works the departments they belong to; `analyst` reads only;
 * `dpo`, the data protection officer, reads everything and handles consent and data-subject requests;
 * `viewer` is every other employee: reads the pseudonymised voice-of-the-customer stream, no
 * personal data.
 */
export const roles = ["owner", "admin", "core_team", "agent", "analyst", "dpo", "viewer"] as const;
export type Role = (typeof roles)[number];

/** Who may administer the organization (members, departments, settings, audit log). */
export const adminRoles: Role[] = ["owner", "admin"];
/** Who may change conversations and other working data. */
export const writerRoles: Role[] = ["owner", "admin", "core_team", "agent"];
/** Who handles personal data as such: data-subject requests, the access log, data-use previews. */
export const privacyRoles: Role[] = ["owner", "admin", "dpo"];
/** Who records consent decisions: the people who talk to customers, and the DPO. */
export const consentRoles: Role[] = ["owner", "admin", "core_team", "agent", "dpo"];
/**
 * Everybody who works with the organization's customer data: every role but `viewer`. Routes that
 * answer with posts, conversations, contacts or colleagues use this.
 */
export const anyRole: Role[] = roles.filter((role) => role !== "viewer");
/** Every member, viewers included: the voice-of-the-customer stream, one's own notifications. */
export const everyMember: Role[] = [...roles];

/** Roles that see every department's work; agents see only their own departments'. */
export function seesAllDepartments(role: Role): boolean {
  return role !== "agent" && role !== "viewer";
}
