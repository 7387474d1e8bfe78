/**
 * The files under `static/`, read and compressed once at start-up. Each is served at its plain name
 * (`/static/app.css`, revalidated by `ETag`) and at a content-hashed name (`/static/app.1a2b3c4d5e.css`,
 * cached for a year as immutable), which is the one pages link to: a new build changes the name, so a
 * browser never runs an old bundle and never asks twice for the current one. Brotli or gzip by the
 * request's `Accept-Encoding`.
 */
import { createHash } from "node:crypto";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { Hono } from "hono";
import type { AssetUrls } from "../components/page_assets.tsx";
import { NotFoundError } from "../core/platform/mod.ts";
import type { AppEnv } from "./context.ts";

const CONTENT_TYPES: Record<string, string> = {
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  txt: "text/plain; charset=utf-8",
};

/** Content-hashed names never change content: a browser may keep them for a year without asking. */
const IMMUTABLE = "public, max-age=31536000, immutable";
/** Plain names may change with a deploy: a browser keeps them but asks first (a 304 when unchanged). */
const REVALIDATE = "no-cache";

type Encoding = "br" | "gzip" | "identity";

interface StaticAsset {
  contentType: string;
  /** The first 10 hex digits of the content's SHA-256: its hashed name and its ETag. */
  hash: string;
  bodies: Partial<Record<Encoding, Uint8Array>> & { identity: Uint8Array };
}

/** The static files: their hashed URLs for pages, and the routes that serve them. */
export interface StaticAssets {
  /** Plain name → the URL pages link to (`app.css` → `/static/app.1a2b3c4d5e.css`). */
  urls: AssetUrls;
  /** `GET /static/:name` for plain and hashed names. */
  routes: Hono<AppEnv>;
}

function hashOf(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex").slice(0, 10);
}

/** Compressions worth sending: only those smaller than the file itself. */
function compressed(bytes: Uint8Array): Partial<Record<Encoding, Uint8Array>> {
  const br = new Uint8Array(brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  }));
  const gzip = new Uint8Array(gzipSync(bytes, { level: constants.Z_BEST_COMPRESSION }));
  return {
    ...(br.length < bytes.length ? { br } : {}),
    ...(gzip.length < bytes.length ? { gzip } : {}),
  };
}

/**
 * The encodings the client accepts, best first among those we have: brotli, then gzip, then none.
 * A `q=0` refuses an encoding; `*` stands for any not named.
 */
function chooseEncoding(acceptEncoding: string | undefined, available: Encoding[]): Encoding {
  const weights = new Map<string, number>();
  for (const part of (acceptEncoding ?? "").split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    if (!name) continue;
    const q = params.map((param) => param.trim()).find((param) => param.startsWith("q="));
    const weight = q ? Number(q.slice(2)) : 1;
    weights.set(name, Number.isFinite(weight) ? weight : 0);
  }
  const weightOf = (encoding: Encoding) => weights.get(encoding) ?? weights.get("*") ?? 0;
  for (const encoding of ["br", "gzip"] as const) {
    if (available.includes(encoding) && weightOf(encoding) > 0) return encoding;
  }
  return "identity";
}

/** Whether an `If-None-Match` names this content (in any of its encodings), or is `*`. */
function sameContent(ifNoneMatch: string | undefined, hash: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(",").some((tag) => {
    const value = tag.trim().replace(/^W\//, "").replaceAll('"', "");
    return value === "*" || value === hash || value.startsWith(`${hash}-`);
  });
}

/**
 * Reads every file in `dir` (not recursive), hashes and compresses it, and returns the manifest and
 * routes. Synchronous: it runs once while the app is built, on a few small files (~75 ms).
 */
export function loadStaticAssets(dir: string): StaticAssets {
  const byName = new Map<string, { asset: StaticAsset; immutable: boolean }>();
  const urls = new Map<string, string>();
  for (const entry of Deno.readDirSync(dir)) {
    const extension = entry.name.split(".").pop() ?? "";
    const contentType = CONTENT_TYPES[extension];
    if (!entry.isFile || !contentType) continue;
    const identity = Deno.readFileSync(`${dir}/${entry.name}`);
    const hash = hashOf(identity);
    const asset: StaticAsset = { contentType, hash, bodies: { identity, ...compressed(identity) } };
    const hashedName = `${entry.name.slice(0, -extension.length - 1)}.${hash}.${extension}`;
    byName.set(entry.name, { asset, immutable: false });
    byName.set(hashedName, { asset, immutable: true });
    urls.set(entry.name, `/static/${hashedName}`);
  }

  const routes = new Hono<AppEnv>();
  routes.get("/:name", (c) => {
    const found = byName.get(c.req.param("name"));
    if (!found) throw new NotFoundError(`There is no static file named ${c.req.param("name")}.`);
    const { asset, immutable } = found;
    const encoding = chooseEncoding(c.req.header("accept-encoding"), Object.keys(asset.bodies) as Encoding[]);
    // Each encoding is its own representation, so its own strong ETag; all name the same content.
    const headers = new Headers({
      "Content-Type": asset.contentType,
      "Cache-Control": immutable ? IMMUTABLE : REVALIDATE,
      ETag: encoding === "identity" ? `"${asset.hash}"` : `"${asset.hash}-${encoding}"`,
      Vary: "Accept-Encoding",
    });
    if (encoding !== "identity") headers.set("Content-Encoding", encoding);
    if (sameContent(c.req.header("if-none-match"), asset.hash)) {
      headers.delete("Content-Encoding");
      return new Response(null, { status: 304, headers });
    }
    return new Response(asset.bodies[encoding] as BodyInit, { headers });
  });
  return { urls, routes };
}
