import { useSuspenseQuery } from "@tanstack/react-query";
import { isAdmin } from "../lib/roles.js";
import { meQuery } from "./queries.js";

/** The signed-in person; loaded before any signed-in page renders. */
export function useMe() {
  const me = useSuspenseQuery(meQuery).data;
  return { ...me, isAdmin: isAdmin(me.role) };
}
