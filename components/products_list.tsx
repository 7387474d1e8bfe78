/** The product list's pieces: filters, the sortable table, paging. */
import type { ComponentChildren } from "preact";
import type { Product, ProductPage, ProductQuery, SortKey } from "../core/products/mod.ts";
import { formatCount } from "./format.ts";
import { Island } from "./island.tsx";
import { LocalTime } from "./local_time.tsx";
import { IfCanChange } from "./session.tsx";
import { ActionsHeading, DataTable } from "./table.tsx";

/** Page sizes offered in the list. */
export const PAGE_SIZES = [25, 50, 100, 200];

/** The list's URL for a query, with some parameters changed; defaults are left out. */
export function listUrl(query: ProductQuery, changes: Partial<ProductQuery> = {}, path = "/"): string {
  const q = { ...query, ...changes };
  const params = new URLSearchParams();
  if (q.search) params.set("search", q.search);
  if (q.active !== undefined) params.set("active", String(q.active));
  if (q.priceMin !== undefined) params.set("price_min", String(q.priceMin));
  if (q.priceMax !== undefined) params.set("price_max", String(q.priceMax));
  if (q.sort !== "updated") params.set("sort", q.sort);
  if (q.order !== (q.sort === "updated" ? "desc" : "asc")) params.set("order", q.order);
  if (q.limit !== 50) params.set("limit", String(q.limit));
  if (q.page !== 1) params.set("page", String(q.page));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** The filter form's fields as typed: kept as they are, even when one is not valid. */
export interface FilterValues {
  search: string;
  active: string;
  price_min: string;
  price_max: string;
  limit: string;
  sort: string;
  order: string;
}

/** The filter form's values for a valid query. */
export function filterValuesOf(query: ProductQuery): FilterValues {
  return {
    search: query.search ?? "",
    active: query.active === undefined ? "all" : String(query.active),
    price_min: query.priceMin === undefined ? "" : String(query.priceMin),
    price_max: query.priceMax === undefined ? "" : String(query.priceMax),
    limit: String(query.limit),
    sort: query.sort,
    order: query.order,
  };
}

/** The filter form's values from a query string that did not validate: what was sent, as sent. */
export function filterValuesFromQuery(raw: Record<string, string>): FilterValues {
  return {
    search: raw.search ?? "",
    active: raw.active ?? "all",
    price_min: raw.price_min ?? "",
    price_max: raw.price_max ?? "",
    limit: raw.limit ?? "50",
    sort: raw.sort ?? "updated",
    order: raw.order ?? "",
  };
}

/** A rule's message as a sentence: "a price bound must be a number" → "A price bound must be a number." */
function sentence(message: string): string {
  const text = message.charAt(0).toUpperCase() + message.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

function FilterField(
  props: {
    name: keyof FilterValues;
    label: string;
    error?: string;
    class?: string;
    children: ComponentChildren;
  },
) {
  const errorId = `filter-${props.name}-error`;
  return (
    <div class={`field ${props.class ?? ""}${props.error ? " field--invalid" : ""}`}>
      <label class="field-label" for={`filter-${props.name}`}>{props.label}</label>
      {props.children}
      {props.error ? <span class="field-error" id={errorId}>{sentence(props.error)}</span> : null}
    </div>
  );
}

/**
 * The filter form: plain GET, so a filtered view is a bookmarkable URL. A value the server refused
 * stays in its field with the reason next to it.
 */
export function ProductFiltersForm(props: { values: FilterValues; errors?: Record<string, string> }) {
  const v = props.values;
  const errors = props.errors ?? {};
  const described = (name: string) =>
    errors[name] ? { "aria-invalid": true, "aria-describedby": `filter-${name}-error` } : {};
  const sizes = PAGE_SIZES.map(String).includes(v.limit)
    ? PAGE_SIZES.map(String)
    : [...PAGE_SIZES.map(String), v.limit];
  return (
    <form class="filters card" method="get" action="/">
      <FilterField name="search" label="Search" error={errors.search} class="field--grow">
        <input
          id="filter-search"
          type="search"
          name="search"
          value={v.search}
          placeholder="SKU, name or description"
          {...described("search")}
        />
      </FilterField>
      <FilterField name="active" label="Status" error={errors.active}>
        <select id="filter-active" name="active" {...described("active")}>
          <option value="all" selected={v.active !== "true" && v.active !== "false"}>All</option>
          <option value="true" selected={v.active === "true"}>Active</option>
          <option value="false" selected={v.active === "false"}>Inactive</option>
        </select>
      </FilterField>
      {/* Text, not type=number: a refused value such as "abc" must stay visible next to its reason. */}
      <FilterField name="price_min" label="Price from" error={errors.price_min} class="field--narrow">
        <input
          id="filter-price_min"
          name="price_min"
          inputMode="decimal"
          value={v.price_min}
          {...described("price_min")}
        />
      </FilterField>
      <FilterField name="price_max" label="to" error={errors.price_max} class="field--narrow">
        <input
          id="filter-price_max"
          name="price_max"
          inputMode="decimal"
          value={v.price_max}
          {...described("price_max")}
        />
      </FilterField>
      <FilterField name="limit" label="Per page" error={errors.limit}>
        <select id="filter-limit" name="limit" {...described("limit")}>
          {sizes.map((size) => <option key={size} value={size} selected={v.limit === size}>{size}</option>)}
        </select>
      </FilterField>
      <input type="hidden" name="sort" value={v.sort} />
      {v.order ? <input type="hidden" name="order" value={v.order} /> : null}
      <div class="filters-actions">
        <button class="btn" type="submit">Apply</button>
        <a class="btn btn--secondary" href="/">Clear</a>
      </div>
    </form>
  );
}

const SORT_LABELS: Record<SortKey, string> = { sku: "SKU", name: "Name", price: "Price", updated: "Updated" };

function SortHeader(props: { query: ProductQuery; sort: SortKey; class?: string }) {
  const { query, sort } = props;
  const current = query.sort === sort;
  const nextOrder = current ? (query.order === "asc" ? "desc" : "asc") : sort === "updated" ? "desc" : "asc";
  const arrow = current ? (query.order === "asc" ? " ↑" : " ↓") : "";
  return (
    <th
      class={props.class}
      aria-sort={current ? (query.order === "asc" ? "ascending" : "descending") : undefined}
    >
      <a class="sort-link" href={listUrl(query, { sort, order: nextOrder, page: 1 })}>
        {SORT_LABELS[sort]}
        {arrow}
      </a>
    </th>
  );
}

/** The id of the bulk-action form that the rows' checkboxes belong to (they sit outside it, in the table). */
export const BULK_FORM_ID = "bulk-form";

/**
 * The products table, with sortable headers and a delete button per row; for those who may
 * change things, a checkbox per row that belongs to the bulk-action form.
 */
export function ProductTable(props: { page: ProductPage; query: ProductQuery }) {
  const returnTo = listUrl(props.query);
  return (
    <DataTable
      head={
        <>
          <IfCanChange>
            <th class="select-cell">
              <span class="visually-hidden">Select</span>
            </th>
          </IfCanChange>
          <SortHeader query={props.query} sort="sku" />
          <SortHeader query={props.query} sort="name" />
          <th>Description</th>
          <SortHeader query={props.query} sort="price" class="num" />
          <th>Active</th>
          <SortHeader query={props.query} sort="updated" />
          <ActionsHeading />
        </>
      }
    >
      {props.page.items.map((product) => (
        <ProductRow
          key={product.id}
          product={product}
          returnTo={returnTo}
        />
      ))}
    </DataTable>
  );
}

function ProductRow(props: { product: Product; returnTo: string }) {
  const p = props.product;
  return (
    <tr>
      <IfCanChange>
        <td class="select-cell">
          <input
            type="checkbox"
            name="id"
            value={String(p.id)}
            form={BULK_FORM_ID}
            aria-label={`Select ${p.sku}`}
          />
        </td>
      </IfCanChange>
      <td class="sku-cell">
        <a href={`/products/${p.id}`}>
          <code>{p.sku}</code>
        </a>
      </td>
      <td>{p.name}</td>
      <td class="excerpt" title={p.description ?? ""}>{(p.description ?? "").slice(0, 140)}</td>
      <td class="num">{p.price ?? "—"}</td>
      <td>
        {p.active ? <span class="badge badge--complete">Active</span> : <span class="badge">Inactive</span>}
      </td>
      <td class="nowrap">
        <LocalTime at={p.updated_at} />
      </td>
      <td class="actions-cell">
        <div class="row-actions">
          <IfCanChange>
            <a class="btn btn--small btn--secondary" href={`/products/${p.id}`}>Edit</a>
          </IfCanChange>
          <IfCanChange>
            <Island
              name="ConfirmSubmit"
              props={{
                action: `/products/${p.id}/delete`,
                label: "Delete",
                what: p.sku,
                returnTo: props.returnTo,
              }}
            />
          </IfCanChange>
        </div>
      </td>
    </tr>
  );
}

/** Previous / next and first / last links, with the position in words. */
export function Pagination(props: { page: ProductPage; query: ProductQuery }) {
  const { page, query } = props;
  const link = (target: number, label: string, disabled: boolean) =>
    disabled
      ? <span class="btn btn--secondary btn--small is-disabled" aria-disabled="true">{label}</span>
      : <a class="btn btn--secondary btn--small" href={listUrl(query, { page: target })}>{label}</a>;
  return (
    <nav class="pager" aria-label="Pages">
      {link(1, "« First", page.page <= 1)}
      {link(page.page - 1, "‹ Previous", page.page <= 1)}
      <span class="muted">
        Page {formatCount(page.page)} of {formatCount(page.pages)}
        {page.total_exact ? "" : "+"}
      </span>
      {/* Past a capped count the last page is unknown: "Next" goes on while pages are full. */}
      {link(
        page.page + 1,
        "Next ›",
        page.total_exact ? page.page >= page.pages : page.items.length < page.limit,
      )}
      {page.total_exact ? link(page.pages, "Last »", page.page >= page.pages) : null}
    </nav>
  );
}
