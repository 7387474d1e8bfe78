/**
 * The bulk-action form of the products page, read the same way by its confirmation (a GET, so the
 * bar needs no token) and by the confirmed POST: the action, which products, the list to go back to.
 */
import { z } from "zod";
import {
  BULK_ACTIONS,
  type BulkAction,
  MAX_SELECTED_IDS,
  type ProductFilters,
  type ProductSelection,
} from "../core/products/mod.ts";
import { ProductFiltersQuery, queryErrors } from "./http.ts";
import { safeReturnPath } from "./return_to.ts";

/** What the bar can ask for: a bulk action, or an export of the same selection. */
export type BulkFormAction = BulkAction | "export";

/** A bulk request as the form sent it, checked. */
export interface BulkFormRequest {
  action: BulkFormAction;
  /** `selected`: the ticked products; `matching`: every product the filters match. */
  scope: "selected" | "matching";
  selection: ProductSelection;
  filters: ProductFilters;
  returnTo: string;
}

/** A bulk request that cannot be carried out, with the reason and the way back. */
export interface BulkFormProblem {
  problem: string;
  returnTo: string;
}

const Choice = z.object({
  action: z.enum([...BULK_ACTIONS, "export"]),
  scope: z.enum(["selected", "matching"]).default("selected"),
});

/** Reads the bulk form's fields (a query string or a posted form); `id` may repeat. */
export function readBulkForm(fields: URLSearchParams | FormData): BulkFormRequest | BulkFormProblem {
  const single: Record<string, string> = {};
  const ids: string[] = [];
  for (const [name, value] of fields.entries()) {
    if (typeof value !== "string") continue;
    if (name === "id") ids.push(value);
    else single[name] ??= value;
  }
  const returnTo = safeReturnPath(single.return);
  const choice = Choice.safeParse(single);
  if (!choice.success) {
    return {
      problem: "Choose what to do with the products: activate, deactivate, export or delete.",
      returnTo,
    };
  }
  const parsedFilters = ProductFiltersQuery.safeParse(single);
  if (!parsedFilters.success) {
    const errors = Object.entries(queryErrors(parsedFilters.error)).map(([field, message]) =>
      `${field}: ${message}`
    );
    return { problem: `These filters are not valid: ${errors.join("; ")}.`, returnTo };
  }
  const f = parsedFilters.data;
  const filters: ProductFilters = {
    search: f.search,
    active: f.active,
    priceMin: f.price_min,
    priceMax: f.price_max,
  };
  const { action, scope } = choice.data;
  if (scope === "matching") return { action, scope, selection: { filters }, filters, returnTo };

  if (ids.length === 0) {
    return { problem: "Tick at least one product first, or choose all the matching products.", returnTo };
  }
  if (ids.length > MAX_SELECTED_IDS || ids.some((id) => !/^[1-9][0-9]{0,14}$/.test(id))) {
    return { problem: `Tick between 1 and ${MAX_SELECTED_IDS} products from the list.`, returnTo };
  }
  return { action, scope, selection: { ids: [...new Set(ids.map(Number))] }, filters, returnTo };
}
