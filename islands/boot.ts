/**
 * The client entry point: hydrates every server-rendered island marker
 * (`<div data-island="Name" data-props="{...}">`) with its component from the registry.
 */
import { hydrate } from "preact";
import { isIslandName, islandElement } from "./mod.ts";

for (const marker of document.querySelectorAll<HTMLElement>("[data-island]")) {
  const name = marker.dataset.island ?? "";
  // The props are what components/island.tsx serialized for this very island.
  if (isIslandName(name)) hydrate(islandElement(name, JSON.parse(marker.dataset.props ?? "{}")), marker);
}
