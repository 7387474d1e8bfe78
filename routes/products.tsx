/** The product pages: the list, new, edit, delete, and delete-all with its progress. */
import { Hono } from "hono";
import { ConfirmDeletePage } from "../components/confirm_delete_page.tsx";
import { Island } from "../components/island.tsx";
import { Layout } from "../components/layout.tsx";
import { LocalTime } from "../components/local_time.tsx";
import { Pagination, ProductFiltersForm, ProductTable } from "../components/products_list.tsx";
import { htmlResponse } from "../components/render.ts";
import { findImportJob, isFinalStatus, progressFromJob, submitDeleteAll } from "../core/imports/mod.ts";
import { NotFoundError } from "../core/platform/mod.ts";
import {
  countProducts,
  createProduct,
  deleteProduct,
  getProduct,
  listProducts,
  parseProductCreate,
  parseProductUpdate,
  type Product,
  type ProductPage,
  type ProductQuery,
  updateProduct,
} from "../core/products/mod.ts";
import { confirmsDeleteAll } from "../components/delete_all.ts";
import { IfCanChange, usePageSession } from "../components/session.tsx";
import { formatCount } from "../components/format.ts";
import type { ProductFormValues } from "../islands/ProductForm.tsx";
import type { AppContext, AppEnv } from "./context.ts";
import { saveForm } from "./forms.ts";
import { auditContext, formBody, productId, ProductListQuery } from "./http.ts";

const NOTICES: Record<string, string> = {
  created: "Product created.",
  updated: "Product saved.",
  deleted: "Product deleted.",
};

/** The products pages: the list at `/`, create, edit, delete, delete all. Plain forms throughout. */
export function productPages(ctx: AppContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get("/", async (c) => {
    const parsed = ProductListQuery.safeParse(c.req.query());
    if (!parsed.success) {
      const message = parsed.error.issues.map((issue) => issue.message).join("; ");
      return htmlResponse(<ProductsPage problem={`These filters are not valid: ${message}.`} />, 400);
    }
    const page = await listProducts(ctx.db, parsed.data);
    return htmlResponse(
      <ProductsPage page={page} query={parsed.data} notice={NOTICES[c.req.query("notice") ?? ""]} />,
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
    return htmlResponse(
      <ConfirmDeletePage
        title={`Delete ${product.sku}?`}
        section="products"
        action={`/products/${product.id}/delete`}
        buttonLabel="Delete product"
        cancelHref={`/products/${product.id}`}
      >
        “{product.name}” will be deleted. This cannot be undone.
      </ConfirmDeletePage>,
    );
  });

  app.post("/products/:id/delete", async (c) => {
    await deleteProduct(ctx.db, productId(c.req.param("id")), { audit: auditContext(c) });
    return c.redirect("/?notice=deleted", 303);
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
  props: { page?: ProductPage; query?: ProductQuery; notice?: string; problem?: string },
) {
  const { page, query } = props;
  const filtered = query && (query.search || query.active !== undefined || query.priceMin !== undefined ||
    query.priceMax !== undefined);
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
      {props.notice ? <p class="alert alert--success" role="status">{props.notice}</p> : null}
      {props.problem
        ? (
          <p class="alert alert--error" role="alert">
            {props.problem} <a href="/">Reset</a>
          </p>
        )
        : null}
      {query
        ? (
          // On a phone the filters fold away behind "Filters" (open while some are set); wider, always shown.
          <details class="filters-panel" open={Boolean(filtered)}>
            <summary class="btn btn--secondary">Filters{filtered ? " (on)" : ""}</summary>
            <ProductFiltersForm query={query} />
          </details>
        )
        : null}
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
                  <a class="btn btn--secondary btn--small" href={exportUrl(query)} download>Export CSV</a>
                  <IfCanChange>
                    <a class="btn btn--danger-outline btn--small" href="/products/delete-all">Delete all…</a>
                  </IfCanChange>
                </div>
              </div>
              {page.items.length === 0
                ? (
                  <p class="empty">
                    This page is past the end. <a href={`/?page=${page.pages}`}>Go to the last page</a>
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

function exportUrl(query: ProductQuery): string {
  const params = new URLSearchParams();
  if (query.search) params.set("search", query.search);
  if (query.active !== undefined) params.set("active", String(query.active));
  if (query.priceMin !== undefined) params.set("price_min", String(query.priceMin));
  if (query.priceMax !== undefined) params.set("price_max", String(query.priceMax));
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
