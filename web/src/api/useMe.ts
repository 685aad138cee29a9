import { useSuspenseQuery } from "@tanstack/react-query";
import { canCurate, canWrite, isAdmin } from "../lib/roles.js";
import { meQuery } from "./queries.js";

/** The signed-in person; loaded before any signed-in page renders. */
export function useMe() {
  const me = useSuspenseQuery(meQuery).data;
  return { ...me, isAdmin: isAdmin(me.role), canWrite: canWrite(me.role), canCurate: canCurate(me.role) };
}
