/**
 * The client entry point: hydrates every server-rendered island marker
 * (`<div data-island="Name" data-props="{...}">`) with its component.
 */
import { type ComponentType, h, hydrate } from "preact";
import ConfirmSubmit from "./ConfirmSubmit.tsx";
import DeleteAllForm from "./DeleteAllForm.tsx";
import ImportProgress from "./ImportProgress.tsx";
import ProductForm from "./ProductForm.tsx";
import SendButton from "./SendButton.tsx";
import UploadForm from "./UploadForm.tsx";

// deno-lint-ignore no-explicit-any
const ISLANDS: Record<string, ComponentType<any>> = {
  ConfirmSubmit,
  DeleteAllForm,
  ImportProgress,
  ProductForm,
  SendButton,
  UploadForm,
};

for (const marker of document.querySelectorAll<HTMLElement>("[data-island]")) {
  const island = ISLANDS[marker.dataset.island ?? ""];
  if (!island) continue;
  hydrate(h(island, JSON.parse(marker.dataset.props ?? "{}")), marker);
}
