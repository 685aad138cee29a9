import { createTheme } from "@mantine/core";

/**
 * Light, dense and calm: a tool people work in all day. Fonts are the system's own, so nothing is
 * fetched from anywhere.
 */
export const theme = createTheme({
  primaryColor: "indigo",
  primaryShade: 7,
  defaultRadius: "sm",
  fontFamily:
    "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', 'Noto Sans', 'Liberation Sans', Arial, sans-serif",
  headings: { fontWeight: "650" },
  cursorType: "pointer",
  focusRing: "auto",
});
