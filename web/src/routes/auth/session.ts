import { api } from "../../api/client.js";

/** better-auth's sign-in; a second factor answers with `twoFactorRedirect` instead of a session. */
export async function signIn(credentials: { email: string; password: string }) {
  return api<{ twoFactorRedirect?: boolean }>("/api/auth/sign-in/email", {
    method: "POST",
    body: credentials,
  });
}

export async function verifyTotp(code: string) {
  return api("/api/auth/two-factor/verify-totp", {
    method: "POST",
    body: { code: code.replace(/\s+/g, "") },
  });
}
