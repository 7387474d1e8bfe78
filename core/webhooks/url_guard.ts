/** The SSRF guard: which URLs a webhook may call. */
import ipaddr from "ipaddr.js";
import { lookup } from "node:dns/promises";
import { ValidationError } from "../platform/errors.ts";

/** Options for {@linkcode checkWebhookUrl}. */
export interface UrlGuardOptions {
  /** Allows loopback and private addresses (tests and local development: `WEBHOOK_ALLOW_PRIVATE`). */
  allowPrivate: boolean;
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
      const range = ipaddr.parse(address).range();
      if (range !== "unicast") {
        refuse(
          `The URL's host ${host} ${address === host ? "is" : `resolves to ${address}, which is`} ` +
            `${RANGE_NAMES[range] ?? `a non-public (${range})`} ` +
            `address; webhooks may only call public addresses (WEBHOOK_ALLOW_PRIVATE=true allows others ` +
            `for local development).`,
        );
      }
    }
  }
  return { url, addresses };
}
