/** Rendering a page component to an HTML response, for the session of the request being answered. */
import { h, type VNode } from "preact";
import { render } from "preact-render-to-string";
import { tryGetContext } from "hono/context-storage";
import { type ActorVariables, canChange } from "../core/accounts/mod.ts";
import { type AssetUrls, newPageAssets, PageAssetsContext } from "./page_assets.tsx";
import { type PageSession, SessionContext } from "./session.tsx";

/** What the app's middleware leaves on the request for the renderer. */
type RenderVariables = ActorVariables & { assetUrls?: AssetUrls };

/** Renders a page component to a complete HTML response. */
export function htmlResponse(page: VNode, status = 200): Response {
  const assets = newPageAssets(tryGetContext<{ Variables: RenderVariables }>()?.var.assetUrls ?? new Map());
  const withAssets = h(PageAssetsContext.Provider, { value: assets }, page);
  const html = render(h(SessionContext.Provider, { value: currentSession() }, withAssets));
  return new Response(`<!doctype html>${html}`, {
    status,
    headers: { "Content-Type": "text/html; charset=utf-8" },
  });
}

/** The session of the request being answered (Hono's context storage carries it to the renderer). */
function currentSession(): PageSession {
  const actor = tryGetContext<{ Variables: ActorVariables }>()?.var.actor ?? null;
  if (actor?.kind !== "user") {
    return {
      signedIn: actor !== null,
      email: null,
      canChange: actor ? canChange(actor) : false,
      csrfToken: null,
    };
  }
  return { signedIn: true, email: actor.email, canChange: canChange(actor), csrfToken: actor.csrfToken };
}
