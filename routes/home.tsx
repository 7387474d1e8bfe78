import { Hono } from "hono";
import { Layout } from "../components/layout.tsx";
import { htmlResponse } from "../components/render.ts";
import { listProducts, type ProductPage } from "../core/products.ts";
import { formatCount } from "../islands/format.ts";
import { ProductListQuery } from "./api/products.ts";
import type { AppContext } from "./context.ts";

/** `/`: the products table (a first version; the product-management issue completes it). */
export function homePages(ctx: AppContext): Hono {
  const app = new Hono();
  app.get("/", async (c) => {
    const query = ProductListQuery.parse(c.req.query());
    return htmlResponse(
      <ProductsPage page={await listProducts(ctx.db, query)} search={query.search ?? ""} />,
    );
  });
  return app;
}

function ProductsPage(props: { page: ProductPage; search: string }) {
  const { page } = props;
  return (
    <Layout title="Products" current="products">
      <div class="page-head">
        <h1>Products</h1>
        <a class="btn" href="/imports">Import CSV</a>
      </div>
      <form class="toolbar" method="get" action="/">
        <input
          type="search"
          name="search"
          value={props.search}
          placeholder="Search SKU, name or description"
        />
        <button class="btn btn--secondary" type="submit">Search</button>
      </form>
      {page.total === 0
        ? (
          <p class="empty">
            {props.search ? "No products match this search." : "No products yet — "}
            {props.search ? null : <a href="/imports">import a CSV</a>}
          </p>
        )
        : (
          <>
            <p class="muted">{formatCount(page.total)} products</p>
            <div class="table-wrap">
              <table class="table">
                <thead>
                  <tr>
                    <th>SKU</th>
                    <th>Name</th>
                    <th>Description</th>
                    <th class="num">Price</th>
                    <th>Active</th>
                  </tr>
                </thead>
                <tbody>
                  {page.items.map((product) => (
                    <tr key={product.id}>
                      <td>
                        <code>{product.sku}</code>
                      </td>
                      <td>{product.name}</td>
                      <td class="excerpt">{(product.description ?? "").slice(0, 120)}</td>
                      <td class="num">{product.price ?? "—"}</td>
                      <td>{product.active ? "Yes" : "No"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <nav class="pager">
              {page.page > 1
                ? (
                  <a
                    class="btn btn--secondary"
                    href={`/?search=${encodeURIComponent(props.search)}&page=${page.page - 1}`}
                  >
                    Previous
                  </a>
                )
                : null}
              <span class="muted">Page {formatCount(page.page)} of {formatCount(page.pages)}</span>
              {page.page < page.pages
                ? (
                  <a
                    class="btn btn--secondary"
                    href={`/?search=${encodeURIComponent(props.search)}&page=${page.page + 1}`}
                  >
                    Next
                  </a>
                )
                : null}
            </nav>
          </>
        )}
    </Layout>
  );
}
