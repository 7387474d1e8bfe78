/**
 * The client entry point: hydrates every server-rendered island marker
 * (`<div data-island="Name" data-props="{...}">`) with its component from the registry, inside
 * the same session context the server rendered it with (read back from the page's meta tags).
 */
import { h, hydrate } from "preact";
import { type PageSession, SessionContext } from "../components/session.tsx";
import { isIslandName, islandElement } from "./mod.ts";

function meta(name: string): string | null {
  return document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content ?? null;
}

const session: PageSession = {
  signedIn: true,
  email: null,
  canChange: meta("session-can-change") === "true",
  csrfToken: meta("csrf-token"),
};

for (const marker of document.querySelectorAll<HTMLElement>("[data-island]")) {
  const name = marker.dataset.island ?? "";
  // The props are what components/island.tsx serialized for this very island.
  if (!isIslandName(name)) continue;
  const island = islandElement(name, JSON.parse(marker.dataset.props ?? "{}"));
  hydrate(h(SessionContext.Provider, { value: session }, island), marker);
}
