import type { Role } from "../api/types.js";

export const roles: Role[] = ["owner", "admin", "core_team", "agent", "analyst", "dpo", "viewer"];

/** Who administers the organization; the server enforces it, the UI only hides what would fail. */
export function isAdmin(role: Role | null | undefined): boolean {
  return role === "owner" || role === "admin";
}

/** Who changes working data (everybody but analysts, who read only). */
export function canWrite(role: Role | null | undefined): boolean {
  return role === "owner" || role === "admin" || role === "core_team" || role === "agent";
}

/** Who curates listening: alert rules, VIPs, removing queries, the pipeline's dead letters. */
export function canCurate(role: Role | null | undefined): boolean {
  return role === "owner" || role === "admin" || role === "core_team";
}
