import type { Role } from "../api/types.js";

export const roles: Role[] = ["owner", "admin", "core_team", "agent", "analyst", "dpo"];

/** Who administers the organization; the server enforces it, the UI only hides what would fail. */
export function isAdmin(role: Role | null | undefined): boolean {
  return role === "owner" || role === "admin";
}
