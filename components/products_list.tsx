/** The product list's pieces: filters, the sortable table, paging. */
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

/** The filter form: plain GET, so a filtered view is a bookmarkable URL. */
export function ProductFiltersForm(props: { query: ProductQuery }) {
  const q = props.query;
  return (
    <form class="filters card" method="get" action="/">
      <label class="field field--grow">
        <span class="field-label">Search</span>
        <input type="search" name="search" value={q.search ?? ""} placeholder="SKU, name or description" />
      </label>
      <label class="field">
        <span class="field-label">Status</span>
        <select name="active">
          <option value="all" selected={q.active === undefined}>All</option>
          <option value="true" selected={q.active === true}>Active</option>
          <option value="false" selected={q.active === false}>Inactive</option>
        </select>
      </label>
      <label class="field field--narrow">
        <span class="field-label">Price from</span>
        <input type="number" name="price_min" min="0" step="0.01" value={q.priceMin ?? ""} />
      </label>
      <label class="field field--narrow">
        <span class="field-label">to</span>
        <input type="number" name="price_max" min="0" step="0.01" value={q.priceMax ?? ""} />
      </label>
      <label class="field">
        <span class="field-label">Per page</span>
        <select name="limit">
          {PAGE_SIZES.map((size) => (
            <option key={size} value={size} selected={q.limit === size}>{size}</option>
          ))}
        </select>
      </label>
      <input type="hidden" name="sort" value={q.sort} />
      <input type="hidden" name="order" value={q.order} />
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

/** The products table, with sortable headers and a delete button per row. */
export function ProductTable(props: { page: ProductPage; query: ProductQuery }) {
  return (
    <DataTable
      head={
        <>
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
      {props.page.items.map((product) => <ProductRow key={product.id} product={product} />)}
    </DataTable>
  );
}

function ProductRow(props: { product: Product }) {
  const p = props.product;
  return (
    <tr>
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
              props={{ action: `/products/${p.id}/delete`, label: "Delete", what: p.sku }}
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
