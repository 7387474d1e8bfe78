/**
 * Sends one webhook request. The URL is checked by the SSRF guard right before the request and the
 * connection is pinned to the addresses the guard approved (node's `lookup` hook), so a DNS answer
 * that changes between check and connect (DNS rebinding) cannot reach inside. Redirects are never
 * followed; the whole exchange has one deadline.
 */
import http from "node:http";
import https from "node:https";
import type { LookupAddress } from "node:dns";
import { Buffer } from "node:buffer";
import { ValidationError } from "../platform/errors.ts";
import { checkWebhookUrl, UnresolvableHostError, type UrlGuardOptions } from "./url_guard.ts";

/** Why an attempt failed, in words a person debugging a receiver recognises. */
export type SendErrorKind =
  | "timeout"
  | "refused"
  | "dns"
  | "tls"
  | "redirect"
  | "http"
  | "blocked"
  | "network";

/** The outcome of one attempt. */
export interface SendResult {
  /** The receiver's status code; null when no response arrived. */
  status: number | null;
  timeMs: number;
  ok: boolean;
  errorKind: SendErrorKind | null;
  errorMessage: string | null;
  /** The first characters of the response body. */
  responseExcerpt: string | null;
  /** Seconds the receiver asked us to wait (`Retry-After`), if it said. */
  retryAfterSeconds: number | null;
}

/** Options for {@linkcode sendWebhookRequest}: the SSRF guard's, and one deadline for the whole request. */
export interface SendOptions extends UrlGuardOptions {
  timeoutMs: number;
}

const EXCERPT_BYTES = 1024;
const USER_AGENT = "AcmeProductImporter-Webhooks/1.0";

/** POSTs `body` with `headers` to `rawUrl`; never throws — every failure is a {@linkcode SendResult}. */
export async function sendWebhookRequest(
  rawUrl: string,
  body: string,
  headers: Record<string, string>,
  options: SendOptions,
): Promise<SendResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const failure = (errorKind: SendErrorKind, errorMessage: string, status: number | null = null) => ({
    status,
    timeMs: elapsed(),
    ok: false,
    errorKind,
    errorMessage,
    responseExcerpt: null,
    retryAfterSeconds: null,
  });

  let addresses: string[];
  let url: URL;
  try {
    ({ url, addresses } = await checkWebhookUrl(rawUrl, options));
  } catch (error) {
    if (error instanceof UnresolvableHostError) return failure("dns", error.message);
    if (error instanceof ValidationError) return failure("blocked", error.message);
    throw error;
  }

  const remainingMs = Math.max(1, options.timeoutMs - elapsed());
  try {
    const response = await post(url, addresses, body, headers, remainingMs);
    const result: SendResult = {
      status: response.status,
      timeMs: elapsed(),
      ok: response.status >= 200 && response.status < 300,
      errorKind: null,
      errorMessage: null,
      responseExcerpt: response.excerpt || null,
      retryAfterSeconds: parseRetryAfter(response.retryAfter),
    };
    if (response.status >= 300 && response.status < 400) {
      result.errorKind = "redirect";
      result.errorMessage = `The receiver redirected (${response.status}${
        response.location ? ` to ${response.location.slice(0, 200)}` : ""
      }); redirects are not followed — use the final URL.`;
    } else if (!result.ok) {
      result.errorKind = "http";
      result.errorMessage = `The receiver answered ${response.status}; only 2xx counts as delivered.`;
    }
    return result;
  } catch (error) {
    const { kind, message } = describeNetworkError(error, options.timeoutMs);
    return failure(kind, message);
  }
}

interface RawResponse {
  status: number;
  excerpt: string;
  retryAfter: string | undefined;
  location: string | undefined;
}

function post(
  url: URL,
  addresses: string[],
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === "https:" ? https : http;
    const payload = Buffer.from(body, "utf8");
    const request = client.request(url, {
      method: "POST",
      // One deadline for connecting, sending and reading the answer.
      signal: AbortSignal.timeout(timeoutMs),
      // A fresh connection each time: a pooled one would skip the pinned lookup below.
      agent: false,
      headers: {
        ...headers,
        "content-type": "application/json",
        "content-length": String(payload.length),
        "user-agent": USER_AGENT,
      },
      // Connect only to what the guard approved.
      lookup: (
        _host: string,
        lookupOptions: { all?: boolean },
        callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void,
      ) => {
        const entries = addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
        if (lookupOptions?.all) callback(null, entries);
        else callback(null, entries[0].address, entries[0].family);
      },
    }, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => {
        resolve({
          status: response.statusCode ?? 0,
          excerpt: Buffer.concat(chunks).toString("utf8").slice(0, EXCERPT_BYTES),
          retryAfter: header(response.headers["retry-after"]),
          location: header(response.headers.location),
        });
      };
      response.on("data", (chunk: Buffer) => {
        if (size < EXCERPT_BYTES) chunks.push(chunk);
        size += chunk.length;
        // The rest of a large body is of no use; stop reading it.
        if (size >= EXCERPT_BYTES) {
          response.destroy();
          done();
        }
      });
      response.on("end", done);
      response.on("error", reject);
    });
    request.on("error", reject);
    request.end(payload);
  });
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** `Retry-After` as seconds: either a number of seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | null {
  if (!value) return null;
  if (/^\s*\d+\s*$/.test(value)) return Number(value);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, Math.round((date - now) / 1000));
}

function describeNetworkError(error: unknown, timeoutMs: number): { kind: SendErrorKind; message: string } {
  if ((error as Error)?.name === "AbortError" || (error as Error)?.name === "TimeoutError") {
    return { kind: "timeout", message: `No complete answer within ${timeoutMs / 1000} s.` };
  }
  const code = String((error as { code?: string })?.code ?? "");
  const text = error instanceof Error ? error.message : String(error);
  if (code === "ECONNREFUSED" || /refused/i.test(text)) {
    return { kind: "refused", message: "The connection was refused: nothing is listening at that address." };
  }
  if (code === "ENOTFOUND" || code === "EAI_AGAIN" || /dns|lookup/i.test(text)) {
    return { kind: "dns", message: "The host name could not be resolved." };
  }
  if (/CERT|TLS|SSL/i.test(code) || /certificate|tls|ssl|handshake/i.test(text)) {
    return { kind: "tls", message: `The TLS handshake failed: ${text.slice(0, 200)}` };
  }
  if (code === "ETIMEDOUT") return { kind: "timeout", message: "The connection timed out." };
  return { kind: "network", message: `The request failed: ${text.slice(0, 200)}` };
}
