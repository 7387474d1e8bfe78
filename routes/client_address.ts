/** The client's network address, for the per-address limits. */
import type { Context } from "hono";
import { getConnInfo } from "hono/deno";

/**
 * The connecting address from `Deno.serve`; behind a trusted proxy (`TRUST_PROXY`), the address it
 * reports in `Fly-Client-IP` or as the first `X-Forwarded-For` hop. Without that flag the headers
 * are ignored: any client can send them. "unknown" when the app is called without a connection
 * (`app.request` in tests).
 */
export function clientAddress(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header("fly-client-ip") ?? c.req.header("x-forwarded-for")?.split(",")[0];
    if (forwarded?.trim()) return forwarded.trim().slice(0, 100);
  }
  if (!(c.env as { remoteAddr?: unknown } | undefined)?.remoteAddr) return "unknown";
  return getConnInfo(c).remote.address ?? "unknown";
}
