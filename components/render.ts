/** Rendering a page component to an HTML response. */
import type { VNode } from "preact";
import { render } from "preact-render-to-string";

/** Renders a page component to a complete HTML response. */
export function htmlResponse(page: VNode, status = 200): Response {
  return new Response(`<!doctype html>${render(page)}`, {
    status,
    headers: { "Content-Type": "text/html; charset=utf-8" },
  });
}
