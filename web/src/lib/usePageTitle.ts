import { useEffect } from "react";

/** "Posteingang · Konversa": the page in the browser tab and the history. Undefined leaves it as is. */
export function usePageTitle(title: string | undefined) {
  useEffect(() => {
    if (title) document.title = `${title} · Konversa`;
  }, [title]);
}
