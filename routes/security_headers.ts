/**
 * Security headers on every response: a Content-Security-Policy that lets a page load only this
 * app's own scripts, styles and connections, no framing, no MIME sniffing, and HSTS over HTTPS.
 */
import type { MiddlewareHandler } from "hono";
import { secureHeaders } from "hono/secure-headers";

/** HSTS for a year; sent only on HTTPS, where a browser honours it. */
const HSTS = "max-age=31536000; includeSubDomains";

/** The policy's directives: nothing from other origins, no inline script or style, no framing. */
const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", "data:"],
  // The islands follow imports over EventSource and upload with XMLHttpRequest, both same-origin.
  connectSrc: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  objectSrc: ["'none'"],
};

/** Middleware: Hono's secure headers with this app's policy, plus HSTS when the request came over HTTPS. */
export function securityHeaders(): MiddlewareHandler {
  const headers = secureHeaders({
    contentSecurityPolicy: CONTENT_SECURITY_POLICY,
    referrerPolicy: "strict-origin-when-cross-origin",
    xFrameOptions: "DENY",
    strictTransportSecurity: false,
  });
  return async (c, next) => {
    await headers(c, next);
    if (cameOverHttps(c.req.raw)) c.res.headers.set("Strict-Transport-Security", HSTS);
  };
}

/**
 * Whether the browser reached us over HTTPS: directly, or through a proxy that terminates TLS and
 * says so in `X-Forwarded-Proto` (Fly's does). A client forging the header over plain HTTP gains
 * nothing: browsers ignore HSTS received over HTTP.
 */
function cameOverHttps(request: Request): boolean {
  const forwarded = request.headers.get("x-forwarded-proto")?.split(",")[0].trim().toLowerCase();
  return forwarded === "https" || new URL(request.url).protocol === "https:";
}
