import { useEffect, useRef } from "react";

/** Single-key shortcuts (j, k, r, …) that stay quiet while the person types in a field or a menu is open. */
export function useShortcuts(handlers: Record<string, (() => void) | undefined>) {
  const current = useRef(handlers);
  current.current = handlers;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
      const target = event.target as HTMLElement | null;
      if (
        target?.closest("input, textarea, select, [contenteditable='true'], [role='menu'], [role='dialog']")
      )
        return;
      const handler = current.current[event.key];
      if (!handler) return;
      event.preventDefault();
      handler();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
}
