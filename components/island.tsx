/** The server side of an island: its marker, with the island rendered inside. */
import { islandElement, type IslandName, type IslandProps } from "../islands/mod.ts";
import { usePageAssets } from "./page_assets.tsx";

/**
 * Renders a registered island on the server inside the marker that `islands/boot.ts` hydrates:
 * `<Island name="ConfirmSubmit" props={{ action, label, what }} />`. The name must be in
 * `islands/mod.ts` and the props must be that island's; they travel to the browser as JSON.
 */
export function Island<N extends IslandName>(props: { name: N; props: IslandProps<N> }) {
  // The page links the islands' bundle only when it has an island to hydrate.
  usePageAssets().islands = true;
  return (
    <div data-island={props.name} data-props={JSON.stringify(props.props)}>
      {islandElement(props.name, props.props)}
    </div>
  );
}
