import { type QueryKey, useMutation, useQueryClient } from "@tanstack/react-query";

/** A write that refreshes the lists it changes once it has succeeded. */
export function useApiMutation<Variables, Result = unknown>(
  write: (variables: Variables) => Promise<Result>,
  invalidate: QueryKey[],
) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: write,
    onSuccess: async () => {
      await Promise.all(invalidate.map((queryKey) => queryClient.invalidateQueries({ queryKey })));
    },
  });
}
