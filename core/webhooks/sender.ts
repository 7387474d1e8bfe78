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
  /** The first characters of the response body (at most {@linkcode EXCERPT_CHARS}). */
  responseExcerpt: string | null;
  /** Seconds the receiver asked us to wait (`Retry-After`), if it said. */
  retryAfterSeconds: number | null;
  /** The request as it went out; null when none did (the guard refused the URL, or its host did not resolve). */
  request: SentRequest | null;
  /** The response as it came back; null when none did. */
  response: ReceivedResponse | null;
}

/** A header as it went over the wire: name and value, in order. */
export type HeaderPair = [name: string, value: string];

/** What was sent: the URL and every header (the body is the delivery's own). */
export interface SentRequest {
  url: string;
  headers: HeaderPair[];
}

/** What came back: every header, and the body up to {@linkcode RESPONSE_BODY_LIMIT_BYTES}. */
export interface ReceivedResponse {
  headers: HeaderPair[];
  body: string;
  /** The body was longer than the limit and is cut there. */
  truncated: boolean;
}

/** Options for {@linkcode sendWebhookRequest}: the SSRF guard's, and one deadline for the whole request. */
export interface SendOptions extends UrlGuardOptions {
  timeoutMs: number;
}

/**
 * How much of a response body is kept: enough for any JSON answer or error page a receiver
 * writes for a person to read, bounded so a receiver cannot fill the log (16 KB × attempts
 * kept for 30 days).
 */
export const RESPONSE_BODY_LIMIT_BYTES = 16 * 1024;
/** The excerpt in send results and log entries (the API's `response_excerpt`). */
export const EXCERPT_CHARS = 1024;
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
    request: null,
    response: null,
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
  const request: SentRequest = { url: url.href, headers: requestHeaders(url, body, headers) };
  try {
    const response = await post(url, addresses, body, request.headers, remainingMs);
    const result: SendResult = {
      status: response.status,
      timeMs: elapsed(),
      ok: response.status >= 200 && response.status < 300,
      errorKind: null,
      errorMessage: null,
      responseExcerpt: response.body.slice(0, EXCERPT_CHARS) || null,
      retryAfterSeconds: parseRetryAfter(headerValue(response.headers, "retry-after")),
      request,
      response: { headers: response.headers, body: response.body, truncated: response.truncated },
    };
    if (response.status >= 300 && response.status < 400) {
      result.errorKind = "redirect";
      const location = headerValue(response.headers, "location");
      result.errorMessage = `The receiver redirected (${response.status}${
        location ? ` to ${location.slice(0, 200)}` : ""
      }); redirects are not followed — use the final URL.`;
    } else if (!result.ok) {
      result.errorKind = "http";
      result.errorMessage = `The receiver answered ${response.status}; only 2xx counts as delivered.`;
    }
    return result;
  } catch (error) {
    const { kind, message } = describeNetworkError(error, options.timeoutMs);
    return { ...failure(kind, message), request };
  }
}

/** The headers of the request, in the order they are written: what the log shows is what was sent. */
function requestHeaders(url: URL, body: string, headers: Record<string, string>): HeaderPair[] {
  return [
    ["host", url.host],
    ["user-agent", USER_AGENT],
    ["content-type", "application/json"],
    ["content-length", String(Buffer.byteLength(body, "utf8"))],
    ...Object.entries(headers),
  ];
}

/** The first value of header `name` (any letter case). */
function headerValue(headers: HeaderPair[], name: string): string | undefined {
  return headers.find(([key]) => key.toLowerCase() === name)?.[1];
}

/** PostgreSQL stores no NUL character in text or jsonb: a receiver's NUL is shown as U+FFFD. */
function storable(text: string): string {
  return text.replaceAll("\0", "\uFFFD");
}

interface RawResponse {
  status: number;
  headers: HeaderPair[];
  body: string;
  truncated: boolean;
}

function post(
  url: URL,
  addresses: string[],
  body: string,
  headers: HeaderPair[],
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
      headers: Object.fromEntries(headers),
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
        const bytes = Buffer.concat(chunks);
        const truncated = bytes.length > RESPONSE_BODY_LIMIT_BYTES;
        // `stream: true` leaves out a character the cut split in two instead of garbling it.
        const text = new TextDecoder().decode(bytes.subarray(0, RESPONSE_BODY_LIMIT_BYTES), {
          stream: truncated,
        });
        const raw = response.rawHeaders;
        const pairs: HeaderPair[] = [];
        for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([storable(raw[i]), storable(raw[i + 1])]);
        resolve({ status: response.statusCode ?? 0, headers: pairs, body: storable(text), truncated });
      };
      response.on("data", (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        // Past the limit (by a byte, to know that it was passed) the rest is of no use; stop reading.
        if (size > RESPONSE_BODY_LIMIT_BYTES) {
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
