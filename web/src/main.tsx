import "@mantine/core/styles.css";
import "./styles.css";
import { MantineProvider } from "@mantine/core";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { RouterProvider } from "@tanstack/react-router";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { isUnauthorized } from "./api/client.js";
import "./i18n/index.js";
import { createAppRouter } from "./router.js";
import { theme } from "./theme.js";

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      refetchOnWindowFocus: true,
      // A missing session or right does not get better by asking again.
      retry: (count, error) => !isUnauthorized(error) && count < 2 && !isClientError(error),
    },
  },
});

function isClientError(error: unknown): boolean {
  const status = (error as { status?: number }).status;
  return typeof status === "number" && status >= 400 && status < 500;
}

const router = createAppRouter(queryClient);

// A session that ends while the app is open (expired, signed out elsewhere) leads back to the login.
queryClient.getQueryCache().subscribe((event) => {
  if (event.type === "updated" && event.action.type === "error" && isUnauthorized(event.action.error)) {
    const here = router.state.location;
    if (here.pathname !== "/login" && !here.pathname.startsWith("/invite/")) {
      queryClient.removeQueries({ queryKey: ["me"] });
      void router.navigate({ to: "/login", search: { redirect: here.href } });
    }
  }
});

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <MantineProvider theme={theme} forceColorScheme="light">
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);
