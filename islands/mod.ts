/**
 * The one registry of islands: the server's `Island` component renders from it and the browser's
 * boot script hydrates from it, so a name a page uses is always a name the browser knows.
 */
import { type Attributes, type ComponentProps, type ComponentType, h, type VNode } from "preact";
import BulkBar from "./BulkBar.tsx";
import BulkProgress from "./BulkProgress.tsx";
import ConfirmSubmit from "./ConfirmSubmit.tsx";
import CopyButton from "./CopyButton.tsx";
import DeleteAllForm from "./DeleteAllForm.tsx";
import EventTypesField from "./EventTypesField.tsx";
import ImportProgress from "./ImportProgress.tsx";
import LiveJobStatus from "./LiveJobStatus.tsx";
import ProductForm from "./ProductForm.tsx";
import SendButton from "./SendButton.tsx";
import UploadForm from "./UploadForm.tsx";

const COMPONENTS = {
  BulkBar,
  BulkProgress,
  ConfirmSubmit,
  CopyButton,
  DeleteAllForm,
  EventTypesField,
  ImportProgress,
  LiveJobStatus,
  ProductForm,
  SendButton,
  UploadForm,
};

/** The name of a registered island. */
export type IslandName = keyof typeof COMPONENTS;

/** Each island's props type, by name. */
type PropsByName = { [N in IslandName]: ComponentProps<typeof COMPONENTS[N]> };

/** The props of the island registered as `N`. */
export type IslandProps<N extends IslandName> = PropsByName[N];

/**
 * Every island, by the name its marker carries (`data-island`). Typed per name, so that
 * `ISLANDS[name]` for a generic `name: N` is known to take `IslandProps<N>`.
 */
export const ISLANDS: { readonly [N in IslandName]: ComponentType<IslandProps<N>> } = COMPONENTS;

/** Whether `name` (from a marker in the page) is a registered island. */
export function isIslandName(name: string): name is IslandName {
  return Object.hasOwn(ISLANDS, name);
}

/** The island registered as `name`, as an element with its props (server render and hydration alike). */
export function islandElement<N extends IslandName>(
  name: N,
  props: IslandProps<N>,
): VNode<Attributes & IslandProps<N>> {
  // `h` wants props that may also carry `key`; TypeScript cannot see that a generic props type can.
  return h(ISLANDS[name], props as IslandProps<N> & Attributes);
}
