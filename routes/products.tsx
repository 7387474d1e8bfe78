/** The product pages: the list, new, edit, delete, and delete-all with its progress. */
import { Hono } from "hono";
import { ConfirmDeletePage } from "../components/confirm_delete_page.tsx";
import { Island } from "../components/island.tsx";
import { Layout } from "../components/layout.tsx";
import { LocalTime } from "../components/local_time.tsx";
import { BulkConfirmPage, BulkProblemPage, BulkProgressPage } from "../components/product_bulk.tsx";
import {
  BULK_FORM_ID,
  type FilterValues,
  filterValuesFromQuery,
  filterValuesOf,
  listUrl,
  Pagination,
  ProductFiltersForm,
  ProductTable,
} from "../components/products_list.tsx";
import { htmlResponse } from "../components/render.ts";
import {
  bulkActionOf,
  findImportJob,
  isFinalStatus,
  progressFromJob,
  submitBulkAction,
  submitDeleteAll,
} from "../core/imports/mod.ts";
import { NotFoundError } from "../core/platform/mod.ts";
import {
  applyBulkActionNow,
  BULK_ACTIONS,
  type BulkAction,
  bulkActionDone,
  countProducts,
  countSelection,
  createProduct,
  deleteProduct,
  describeSelection,
  findDeletedProduct,
  getProduct,
  listProducts,
  parseProductCreate,
  parseProductUpdate,
  type Product,
  type ProductFilters,
  type ProductPage,
  type ProductQuery,
  restoreProduct,
  sampleSelection,
  updateProduct,
} from "../core/products/mod.ts";
import { confirmsDeleteAll } from "../components/delete_all.ts";
import { CsrfField, IfCanChange, usePageSession } from "../components/session.tsx";
import { formatCount } from "../components/format.ts";
import type { ProductFormValues } from "../islands/ProductForm.tsx";
import type { AppContext, AppEnv } from "./context.ts";
import { saveForm } from "./forms.ts";
import { type BulkFormRequest, readBulkForm } from "./bulk_form.ts";
import { auditContext, formBody, productId, ProductListQuery, queryErrors } from "./http.ts";
import { safeReturnPath, withParams } from "./return_to.ts";

const NOTICES: Record<string, string> = {
  created: "Product created.",
  updated: "Product saved.",
  deleted: "Product deleted.",
};

/** Selections up to this size are changed at once; larger ones run as a job with a progress bar. */
const INLINE_BULK_LIMIT = 200;

/** A message at the top of the list, with an Undo for a product just deleted. */
interface ListNotice {
  text: string;
  undo?: { id: number; returnTo: string };
}

/** The products pages: the list at `/`, create, edit, delete (with undo), bulk actions, delete all. Plain forms throughout. */
export function productPages(ctx: AppContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  /** The notice the query string asks for, looked up so it can name the product. */
  async function listNotice(
    params: Record<string, string>,
    returnTo: string,
  ): Promise<ListNotice | undefined> {
    const id = /^[1-9][0-9]{0,14}$/.test(params.product ?? "") ? Number(params.product) : null;
    if (params.notice === "deleted" && id) {
      const kept = await findDeletedProduct(ctx.db, id);
      if (kept) return { text: `Deleted ${kept.sku} (“${kept.name}”).`, undo: { id, returnTo } };
    }
    if (params.notice === "restored" && id) {
      const product = await getProduct(ctx.db, id).catch(() => null);
      if (product) return { text: `Restored ${product.sku} (“${product.name}”).` };
    }
    if (params.notice === "bulk" && BULK_ACTIONS.includes(params.action as BulkAction)) {
      const count = Number(params.count);
      if (Number.isSafeInteger(count) && count >= 0) {
        return { text: `${bulkActionDone(params.action as BulkAction, count)}.` };
      }
    }
    const text = NOTICES[params.notice ?? ""];
    return text ? { text } : undefined;
  }

  app.get("/", async (c) => {
    const raw = c.req.query();
    const parsed = ProductListQuery.safeParse(raw);
    if (!parsed.success) {
      return htmlResponse(
        <ProductsPage filterValues={filterValuesFromQuery(raw)} filterErrors={queryErrors(parsed.error)} />,
        400,
      );
    }
    const query = parsed.data;
    const page = await listProducts(ctx.db, query);
    const notice = await listNotice(raw, listUrl(query));
    return htmlResponse(
      <ProductsPage filterValues={filterValuesOf(query)} page={page} query={query} notice={notice} />,
    );
  });

  app.get("/products/new", () => htmlResponse(<ProductEditPage values={emptyValues()} errors={{}} />));

  app.post("/products", async (c) => {
    const values = formValues(await formBody(c));
    return await saveForm(async () => {
      const input = parseProductCreate(formInput(values));
      const product = await createProduct(ctx.db, input, { audit: auditContext(c) });
      return c.redirect(`/?notice=created&search=${encodeURIComponent(product.sku)}`, 303);
    }, (errors) => <ProductEditPage values={values} errors={errors} />);
  });

  // The confirmation of a bulk action: a GET, so the bar above the list is a plain form without a token.
  app.get("/products/bulk", async (c) => {
    const request = readBulkForm(new URL(c.req.url).searchParams);
    if ("problem" in request) return htmlResponse(<BulkProblemPage {...request} />, 400);
    // Deleting every product has one way, with its typed confirmation: delete-all.
    if (deletesEverything(request)) return c.redirect("/products/delete-all", 303);
    const [count, sample] = await Promise.all([
      countSelection(ctx.db, request.selection),
      sampleSelection(ctx.db, request.selection, 10),
    ]);
    const fields: [string, string][] = [...new URL(c.req.url).searchParams.entries()];
    return htmlResponse(
      <BulkConfirmPage
        confirm={{
          action: request.action,
          count,
          sample,
          scopeText: scopeText(request.scope, request.filters),
          fields,
          exportUrl: exportUrl(
            "ids" in request.selection ? { ids: request.selection.ids } : request.filters,
          ),
          returnTo: request.returnTo,
        }}
      />,
    );
  });

  app.post("/products/bulk", async (c) => {
    const request = readBulkForm(await formBody(c));
    if ("problem" in request) return htmlResponse(<BulkProblemPage {...request} />, 400);
    if (deletesEverything(request)) return c.redirect("/products/delete-all", 303);
    if (request.action === "export") {
      return c.redirect(
        exportUrl("ids" in request.selection ? { ids: request.selection.ids } : request.filters),
        303,
      );
    }
    const action = request.action;
    // After a delete the list's page may no longer exist: back to its first page, filters kept.
    const back = action === "delete" ? withParams(request.returnTo, { page: null }) : request.returnTo;
    const total = await countSelection(ctx.db, request.selection);
    if (total <= INLINE_BULK_LIMIT) {
      const changed = await applyBulkActionNow(ctx.db, action, request.selection, { audit: auditContext(c) });
      return c.redirect(withParams(back, { notice: "bulk", action, count: changed }), 303);
    }
    const job = await submitBulkAction(ctx.sql, ctx.jobs, { action, selection: request.selection, total }, {
      audit: auditContext(c),
    });
    return c.redirect(withParams(`/products/bulk/${job.id}`, { return: back }), 303);
  });

  app.get("/products/bulk/:taskId", async (c) => {
    const job = await findImportJob(ctx.sql, c.req.param("taskId"));
    if (!job || job.kind !== "bulk_action") throw new NotFoundError("There is no such bulk action.");
    const { action, selection, total } = bulkActionOf(job);
    const title = `${{ delete: "Delete", activate: "Activate", deactivate: "Deactivate" }[action]} ${
      formatCount(total)
    } products`;
    return htmlResponse(
      <BulkProgressPage
        title={title}
        scope={capitalized(describeSelection(selection))}
        initial={progressFromJob(job)}
        returnTo={safeReturnPath(c.req.query("return"))}
      />,
    );
  });

  app.get("/products/delete-all", async () => {
    return htmlResponse(<DeleteAllPage count={await countProducts(ctx.db)} />);
  });

  app.post("/products/delete-all", async (c) => {
    const form = await formBody(c);
    const count = await countProducts(ctx.db);
    if (!confirmsDeleteAll(String(form.get("confirm") ?? ""), count)) {
      return htmlResponse(
        <DeleteAllPage count={count} error={`Type ${formatCount(count)} or DELETE to confirm.`} />,
        422,
      );
    }
    const job = await submitDeleteAll(ctx.sql, ctx.jobs, { audit: auditContext(c) });
    return c.redirect(`/products/delete-all/${job.id}`, 303);
  });

  app.get("/products/delete-all/:taskId", async (c) => {
    const job = await findImportJob(ctx.sql, c.req.param("taskId"));
    if (!job || job.kind !== "bulk_delete") throw new NotFoundError("There is no such delete-all run.");
    const initial = progressFromJob(job);
    const running = !isFinalStatus(initial.status);
    return htmlResponse(
      <Layout title="Deleting all products" current="products" refreshSeconds={running ? 2 : undefined}>
        <h1>Delete all products</h1>
        <Island name="ImportProgress" props={{ initial }} />
        <p>
          <a href="/">Back to products</a>
        </p>
      </Layout>,
    );
  });

  app.get("/products/:id", async (c) => {
    const product = await getProduct(ctx.db, productId(c.req.param("id")));
    return htmlResponse(
      <ProductEditPage
        product={product}
        values={valuesOf(product)}
        errors={{}}
        notice={NOTICES[c.req.query("notice") ?? ""]}
      />,
    );
  });

  app.post("/products/:id", async (c) => {
    const id = productId(c.req.param("id"));
    const product = await getProduct(ctx.db, id);
    const values = formValues(await formBody(c));
    return await saveForm(async () => {
      await updateProduct(ctx.db, id, parseProductUpdate(formInput(values)), { audit: auditContext(c) });
      return c.redirect(`/products/${id}?notice=updated`, 303);
    }, (errors) => <ProductEditPage product={product} values={values} errors={errors} />);
  });

  // Without JavaScript, "Delete" leads here to confirm; the island posts directly.
  app.get("/products/:id/delete", async (c) => {
    const product = await getProduct(ctx.db, productId(c.req.param("id")));
    const returnTo = c.req.query("return");
    return htmlResponse(
      <ConfirmDeletePage
        title={`Delete ${product.sku}?`}
        section="products"
        action={`/products/${product.id}/delete`}
        buttonLabel="Delete product"
        cancelHref={returnTo ? safeReturnPath(returnTo) : `/products/${product.id}`}
        hidden={returnTo ? { return: safeReturnPath(returnTo) } : {}}
      >
        “{product.name}” will be deleted. You can undo this on the next page.
      </ConfirmDeletePage>,
    );
  });

  app.post("/products/:id/delete", async (c) => {
    const returnTo = safeReturnPath((await formBody(c)).get("return"));
    const deleted = await deleteProduct(ctx.db, productId(c.req.param("id")), { audit: auditContext(c) });
    return c.redirect(withParams(returnTo, { notice: "deleted", product: deleted.id }), 303);
  });

  // Undo of a delete: the product comes back with its id, SKU and fields.
  app.post("/products/:id/restore", async (c) => {
    const returnTo = safeReturnPath((await formBody(c)).get("return"));
    const restored = await restoreProduct(ctx.db, productId(c.req.param("id")), { audit: auditContext(c) });
    return c.redirect(withParams(returnTo, { notice: "restored", product: restored.id }), 303);
  });

  return app;
}

function emptyValues(): ProductFormValues {
  return { sku: "", name: "", description: "", price: "", active: true };
}

function valuesOf(product: Product): ProductFormValues {
  return {
    sku: product.sku,
    name: product.name,
    description: product.description ?? "",
    price: product.price ?? "",
    active: product.active,
  };
}

function formValues(form: FormData): ProductFormValues {
  const text = (name: string) => String(form.get(name) ?? "");
  return {
    sku: text("sku"),
    name: text("name"),
    description: text("description"),
    price: text("price"),
    active: form.get("active") !== null,
  };
}

function formInput(values: ProductFormValues) {
  return { ...values, price: values.price.trim() === "" ? null : values.price };
}

function ProductsPage(
  props: {
    filterValues: FilterValues;
    filterErrors?: Record<string, string>;
    page?: ProductPage;
    query?: ProductQuery;
    notice?: ListNotice;
  },
) {
  const { page, query, filterErrors } = props;
  const filtered = query && isFiltered(query);
  // Problems with parameters the form has no field for (page, sort, order) are named in the alert.
  const elsewhere = Object.entries(filterErrors ?? {}).filter(([field]) =>
    !["search", "active", "price_min", "price_max", "limit"].includes(field)
  );
  return (
    <Layout title="Products" current="products">
      <div class="page-head">
        <h1>Products</h1>
        <div class="actions actions--tight">
          <IfCanChange>
            <a class="btn btn--secondary" href="/imports">Import CSV</a>
            <a class="btn" href="/products/new">New product</a>
          </IfCanChange>
        </div>
      </div>
      {props.notice ? <NoticeBar notice={props.notice} /> : null}
      {filterErrors
        ? (
          <p class="alert alert--error" role="alert">
            {elsewhere.length > 0
              ? `These list settings are not valid: ${elsewhere.map(([f, m]) => `${f}: ${m}`).join("; ")}. `
              : "A filter below is not valid; correct it and press Apply. "}
            <a href="/">Clear all filters</a>
          </p>
        )
        : null}
      {/* On a phone the filters fold away behind "Filters" (open while some are set); wider, always shown. */}
      <details class="filters-panel" open={Boolean(filtered) || Boolean(filterErrors)}>
        <summary class="btn btn--secondary">Filters{filtered ? " (on)" : ""}</summary>
        <ProductFiltersForm values={props.filterValues} errors={filterErrors} />
      </details>
      {page && query
        ? page.total === 0
          ? (
            <p class="empty">
              {filtered
                ? (
                  <>
                    No products match these filters. <a href="/">Clear the filters</a>
                  </>
                )
                : (
                  usePageSession().canChange
                    ? (
                      <>
                        No products yet — <a href="/imports">import a CSV</a> or{" "}
                        <a href="/products/new">create one</a>.
                      </>
                    )
                    : "No products yet."
                )}
            </p>
          )
          : (
            <>
              <div class="list-head">
                <p class="muted">
                  {formatCount(page.total)}
                  {page.total_exact ? "" : "+"} {page.total === 1 ? "product" : "products"}
                  {filtered ? " match" : ""}
                </p>
                <div class="actions actions--tight">
                  <a class="btn btn--secondary btn--small" href={exportUrl(query)} download>
                    {filtered ? "Export matching CSV" : "Export CSV"}
                  </a>
                  <IfCanChange>
                    <DeleteAllLink page={page} query={query} />
                  </IfCanChange>
                </div>
              </div>
              <IfCanChange>
                <Island
                  name="BulkBar"
                  props={{
                    formId: BULK_FORM_ID,
                    fields: bulkFields(query),
                    matching: page.total,
                    matchingExact: page.total_exact,
                    filtered: Boolean(filtered),
                  }}
                />
              </IfCanChange>
              {page.items.length === 0
                ? (
                  <p class="empty">
                    This page is past the end.{" "}
                    <a href={listUrl(query, { page: page.pages })}>Go to the last page</a>
                  </p>
                )
                : <ProductTable page={page} query={query} />}
              <Pagination page={page} query={query} />
            </>
          )
        : null}
    </Layout>
  );
}

function isFiltered(filters: ProductFilters): boolean {
  return Boolean(filters.search) || filters.active !== undefined || filters.priceMin !== undefined ||
    filters.priceMax !== undefined;
}

/** The notice above the list; after a delete, with the Undo that puts the product back. */
function NoticeBar(props: { notice: ListNotice }) {
  const { undo } = props.notice;
  return (
    <div class="alert alert--success notice-bar" role="status">
      <span>{props.notice.text}</span>
      {undo
        ? (
          <IfCanChange>
            <form method="post" action={`/products/${undo.id}/restore`} class="inline-form">
              <CsrfField />
              <input type="hidden" name="return" value={undo.returnTo} />
              <button type="submit" class="btn btn--small btn--secondary">Undo</button>
            </form>
          </IfCanChange>
        )
        : null}
    </div>
  );
}

/** "Delete all…" says what it deletes: every product, or (filtered) all that match, with how many. */
function DeleteAllLink(props: { page: ProductPage; query: ProductQuery }) {
  const { page, query } = props;
  if (!isFiltered(query)) {
    return (
      <a class="btn btn--danger-outline btn--small" href="/products/delete-all">
        Delete all {formatCount(page.total)}…
      </a>
    );
  }
  const href = `/products/bulk?${new URLSearchParams({
    action: "delete",
    scope: "matching",
    ...bulkFields(query),
  })}`;
  return (
    <a class="btn btn--danger-outline btn--small" href={href}>
      Delete all {formatCount(page.total)}
      {page.total_exact ? "" : "+"} matching…
    </a>
  );
}

/** The list's filters and its address, as the bulk form carries them to the confirmation. */
function bulkFields(query: ProductQuery): Record<string, string> {
  const fields: Record<string, string> = {};
  if (query.search) fields.search = query.search;
  if (query.active !== undefined) fields.active = String(query.active);
  if (query.priceMin !== undefined) fields.price_min = String(query.priceMin);
  if (query.priceMax !== undefined) fields.price_max = String(query.priceMax);
  fields.return = listUrl(query);
  return fields;
}

function deletesEverything(request: BulkFormRequest): boolean {
  return request.action === "delete" && request.scope === "matching" && !isFiltered(request.filters);
}

function scopeText(scope: "selected" | "matching", filters: ProductFilters): string {
  if (scope === "selected") return "the ticked products";
  return isFiltered(filters) ? `all ${describeSelection({ filters })}` : "every product";
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function exportUrl(filters: ProductFilters): string {
  const params = new URLSearchParams();
  if (filters.search) params.set("search", filters.search);
  if (filters.active !== undefined) params.set("active", String(filters.active));
  if (filters.priceMin !== undefined) params.set("price_min", String(filters.priceMin));
  if (filters.priceMax !== undefined) params.set("price_max", String(filters.priceMax));
  if (filters.ids) params.set("ids", filters.ids.join(","));
  const text = params.toString();
  return `/api/products/export${text ? `?${text}` : ""}`;
}

function ProductEditPage(
  props: { product?: Product; values: ProductFormValues; errors: Record<string, string>; notice?: string },
) {
  const { product } = props;
  const title = product ? `Edit ${product.sku}` : "New product";
  const formProps = {
    action: product ? `/products/${product.id}` : "/products",
    values: props.values,
    errors: props.errors,
    submitLabel: product ? "Save changes" : "Create product",
  };
  const generalError = props.errors.body;
  return (
    <Layout title={title} current="products">
      <p class="breadcrumb">
        <a href="/">Products</a> /
      </p>
      <h1>{title}</h1>
      {props.notice ? <p class="alert alert--success" role="status">{props.notice}</p> : null}
      {Object.keys(props.errors).length > 0
        ? (
          <p class="alert alert--error" role="alert">
            {generalError ?? "Please correct the fields marked below."}
          </p>
        )
        : null}
      <Island name="ProductForm" props={formProps} />
      {product
        ? (
          <div class="card danger-zone">
            <p class="muted">
              Created <LocalTime at={product.created_at} /> · updated <LocalTime at={product.updated_at} />
            </p>
            <IfCanChange>
              <Island
                name="ConfirmSubmit"
                props={{
                  action: `/products/${product.id}/delete`,
                  label: "Delete product",
                  what: product.sku,
                }}
              />
            </IfCanChange>
          </div>
        )
        : null}
    </Layout>
  );
}

function DeleteAllPage(props: { count: number; error?: string }) {
  return (
    <Layout title="Delete all products" current="products">
      <p class="breadcrumb">
        <a href="/">Products</a> /
      </p>
      <h1>Delete all products</h1>
      {props.count === 0 ? <p class="empty">There are no products to delete.</p> : (
        <>
          <IfCanChange>
            <Island name="DeleteAllForm" props={{ count: props.count, error: props.error }} />
          </IfCanChange>
          {usePageSession().canChange ? null : <p class="muted">Only admins may delete products.</p>}
        </>
      )}
    </Layout>
  );
}
