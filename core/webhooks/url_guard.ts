/** The SSRF guard: which URLs a webhook may call. */
import ipaddr from "ipaddr.js";
import { lookup } from "node:dns/promises";
import { ValidationError } from "../platform/errors.ts";

/** Options for {@linkcode checkWebhookUrl}. */
export interface UrlGuardOptions {
  /** Allows loopback and private addresses (tests and local development: `WEBHOOK_ALLOW_PRIVATE`). */
  allowPrivate: boolean;
  /**
   * When set, the only hosts (names or addresses, as the URL writes them) webhooks may call:
   * an operator's egress allow-list (`WEBHOOK_ALLOWED_HOSTS`), checked before any DNS lookup.
   */
  allowedHosts?: readonly string[] | null;
  /** Resolves a host name to its addresses; the system resolver unless given. */
  resolveHost?: (host: string) => Promise<string[]>;
}

/** The URL's host name does not resolve: refused on save, a `dns` failure at send time. */
export class UnresolvableHostError extends ValidationError {
  constructor(host: string) {
    const message = `The host ${host} could not be resolved.`;
    super(message, [{ field: "url", message }]);
  }
}

/** Every address a host name resolves to, from the system resolver. */
async function systemResolve(host: string): Promise<string[]> {
  return (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);
}

/** A URL that passed the guard and the addresses its host resolved to when it was checked. */
export interface CheckedUrl {
  url: URL;
  addresses: string[];
}

const MAX_URL_LENGTH = 1000;

/** How each non-public range of ipaddr.js is named in messages. */
const RANGE_NAMES: Record<string, string> = {
  loopback: "a loopback",
  private: "a private",
  linkLocal: "a link-local (cloud metadata)",
  carrierGradeNat: "a carrier-grade NAT",
  unspecified: "an unspecified",
  broadcast: "a broadcast",
  multicast: "a multicast",
  reserved: "a reserved",
  ipv4Mapped: "an IPv4-mapped IPv6",
  uniqueLocal: "a unique-local IPv6",
};

/** An IPv4 address from two 16-bit IPv6 parts. */
function ipv4From(high: number, low: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

/** An IPv6 range that carries an IPv4 address, and the address it carries. */
interface Embedding {
  /** The range in words: "an IPv4-compatible IPv6". */
  kind: string;
  /** The embedded IPv4 addresses (Teredo carries two: server and client). */
  ipv4: ipaddr.IPv4[];
}

/**
 * The IPv4 address(es) an IPv6 address embeds, for every form a stack or a gateway may turn into
 * an IPv4 connection: IPv4-compatible (`::a.b.c.d`, which the URL parser writes `::7f00:1` and
 * ipaddr.js calls plain unicast), IPv4-mapped, IPv4-translated (RFC 6145), NAT64 (64:ff9b::/96),
 * 6to4 (2002::/16) and Teredo (2001::/32). Null for other addresses.
 */
export function embeddedIpv4(address: ipaddr.IPv6): Embedding | null {
  const p = address.parts;
  const zeros = (from: number, to: number) => p.slice(from, to).every((part) => part === 0);
  // ::/96 without :: and ::1, which have ranges of their own.
  if (zeros(0, 6) && !(p[6] === 0 && p[7] <= 1)) {
    return { kind: "an IPv4-compatible IPv6", ipv4: [ipv4From(p[6], p[7])] };
  }
  if (zeros(0, 5) && p[5] === 0xffff) return { kind: "an IPv4-mapped IPv6", ipv4: [ipv4From(p[6], p[7])] };
  if (zeros(0, 4) && p[4] === 0xffff && p[5] === 0) {
    return { kind: "an IPv4-translated IPv6", ipv4: [ipv4From(p[6], p[7])] };
  }
  if (p[0] === 0x64 && p[1] === 0xff9b && zeros(2, 6)) {
    return { kind: "a NAT64 (64:ff9b::/96) IPv6", ipv4: [ipv4From(p[6], p[7])] };
  }
  if (p[0] === 0x2002) return { kind: "a 6to4 IPv6", ipv4: [ipv4From(p[1], p[2])] };
  if (p[0] === 0x2001 && p[1] === 0) {
    // Teredo: the server's address, then the client's, stored with every bit flipped.
    return { kind: "a Teredo IPv6", ipv4: [ipv4From(p[2], p[3]), ipv4From(~p[6] & 0xffff, ~p[7] & 0xffff)] };
  }
  return null;
}

/** Why an address is not a public one a webhook may call, in words; null when it is public. */
function nonPublicReason(address: string): string | null {
  const parsed = ipaddr.parse(address);
  const range = parsed.range();
  const embedding = parsed.kind() === "ipv6" ? embeddedIpv4(parsed as ipaddr.IPv6) : null;
  if (embedding) {
    const inner = embedding.ipv4.find((ipv4) => ipv4.range() !== "unicast");
    // An embedding of a public address is refused too: call that IPv4 address directly.
    return inner
      ? `${embedding.kind} address that embeds ${inner.toString()}, ${
        RANGE_NAMES[inner.range()] ?? `a non-public (${inner.range()})`
      } address`
      : `${embedding.kind} address (it embeds ${embedding.ipv4.map(String).join(" and ")}; ` +
        `use that IPv4 address instead)`;
  }
  if (range === "unicast") return null;
  return `${RANGE_NAMES[range] ?? `a non-public (${range})`} address`;
}

function refuse(message: string): never {
  throw new ValidationError(message, [{ field: "url", message }]);
}

/**
 * Refuses webhook URLs that could reach the app's own network (SSRF): anything but http(s), user
 * info, and hosts that are — or resolve to — anything other than public unicast addresses. The
 * WHATWG URL parser already turns `http://2130706433/`, `http://0x7f.1/` and `http://0177.0.0.1/`
 * into `127.0.0.1`; every resolved address is checked, since one private answer is enough to reach
 * inside. Run it on save and again before each send (DNS can change in between).
 */
export async function checkWebhookUrl(raw: string, options: UrlGuardOptions): Promise<CheckedUrl> {
  if (raw.length > MAX_URL_LENGTH) refuse(`The URL is longer than ${MAX_URL_LENGTH} characters.`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    refuse(
      `"${raw.slice(0, 100)}" is not a valid URL; expected something like https://example.com/webhooks.`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    refuse(`Only http and https URLs can receive webhooks, not ${url.protocol.replace(":", "")}.`);
  }
  if (url.username || url.password) refuse("The URL must not contain a user name or password.");

  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (options.allowedHosts && !options.allowedHosts.includes(host)) {
    refuse(
      `This server only sends webhooks to ${
        options.allowedHosts.join(", ")
      } (WEBHOOK_ALLOWED_HOSTS), not ${host}.`,
    );
  }
  let addresses: string[];
  if (ipaddr.isValid(host)) {
    addresses = [host];
  } else {
    try {
      addresses = await (options.resolveHost ?? systemResolve)(host);
    } catch {
      throw new UnresolvableHostError(host);
    }
  }
  if (!options.allowPrivate) {
    for (const address of addresses) {
      const refusal = nonPublicReason(address);
      if (refusal) {
        refuse(
          `The URL's host ${host} ${address === host ? "is" : `resolves to ${address}, which is`} ` +
            `${refusal}; webhooks may only call public addresses (WEBHOOK_ALLOW_PRIVATE=true allows others ` +
            `for local development).`,
        );
      }
    }
  }
  return { url, addresses };
}
