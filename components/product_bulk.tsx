/** The pages of a bulk action on products: its confirmation and, when it runs as a job, its progress. */
import type { ProgressEvent } from "../core/imports/mod.ts";
import type { Product } from "../core/products/mod.ts";
import { formatCount } from "./format.ts";
import { Island } from "./island.tsx";
import { Layout } from "./layout.tsx";
import { CsrfField } from "./session.tsx";

/** What a confirmation asks about: the action, how many products, the first few of them. */
export interface BulkConfirmation {
  action: "delete" | "activate" | "deactivate" | "export";
  count: number;
  /** The first products by SKU, to name them. */
  sample: Pick<Product, "id" | "sku" | "name">[];
  /** The selection in words: "the ticked products" or "all products matching …". */
  scopeText: string;
  /** Fields the confirmed form posts again: action, scope, ids, filters, return. */
  fields: [string, string][];
  /** The export's download address (export only). */
  exportUrl: string;
  returnTo: string;
}

const VERBS = { delete: "Delete", activate: "Activate", deactivate: "Deactivate", export: "Export" };

function products(count: number): string {
  return `${formatCount(count)} ${count === 1 ? "product" : "products"}`;
}

/** The confirmation every bulk action goes through, with or without JavaScript. */
export function BulkConfirmPage(props: { confirm: BulkConfirmation }) {
  const c = props.confirm;
  const title = `${VERBS[c.action]} ${products(c.count)}?`;
  return (
    <Layout title={title} current="products">
      <p class="breadcrumb">
        <a href={c.returnTo}>Products</a> /
      </p>
      <h1>{c.count === 0 ? "No products to change" : title}</h1>
      {c.count === 0
        ? (
          <p class="empty">
            None of {c.scopeText} exist any more. <a href={c.returnTo}>Back to products</a>
          </p>
        )
        : (
          <form
            class={c.action === "delete" ? "card danger-zone" : "card"}
            method="post"
            action="/products/bulk"
          >
            <CsrfField />
            {c.fields.map(([name, value], index) => (
              <input key={`${name}-${index}`} type="hidden" name={name} value={value} />
            ))}
            <p>
              {c.action === "export"
                ? <>This downloads {c.scopeText} as a CSV file the importer reads back unchanged.</>
                : (
                  <>
                    This {c.action === "delete" ? "deletes" : `${c.action}s`} {c.scopeText}:{" "}
                    <strong>{products(c.count)}</strong>.
                    {c.action === "delete" ? " It cannot be undone." : ""}
                  </>
                )}
            </p>
            <ul class="bulk-sample">
              {c.sample.map((product) => (
                <li key={product.id}>
                  <code>{product.sku}</code> {product.name}
                </li>
              ))}
              {c.count > c.sample.length
                ? <li class="muted">and {products(c.count - c.sample.length)} more</li>
                : null}
            </ul>
            <div class="actions">
              {c.action === "export"
                ? <a class="btn" href={c.exportUrl} download>Download {products(c.count)} (CSV)</a>
                : (
                  <button class={c.action === "delete" ? "btn btn--danger" : "btn"} type="submit">
                    {VERBS[c.action]} {products(c.count)}
                  </button>
                )}
              <a class="btn btn--secondary" href={c.returnTo}>{c.action === "export" ? "Back" : "Cancel"}</a>
            </div>
          </form>
        )}
    </Layout>
  );
}

/** A bulk request that cannot go ahead: the reason and the way back to the list. */
export function BulkProblemPage(props: { problem: string; returnTo: string }) {
  return (
    <Layout title="Bulk action" current="products">
      <p class="breadcrumb">
        <a href={props.returnTo}>Products</a> /
      </p>
      <h1>Nothing to do yet</h1>
      <p class="alert alert--error" role="alert">{props.problem}</p>
      <p>
        <a class="btn btn--secondary" href={props.returnTo}>Back to products</a>
      </p>
    </Layout>
  );
}

/** A bulk action running as a job: its live progress, and the way back to the list it came from. */
export function BulkProgressPage(
  props: { title: string; scope: string; initial: ProgressEvent; returnTo: string },
) {
  const running = props.initial.status !== "complete" && props.initial.status !== "error";
  return (
    <Layout title={props.title} current="products" refreshSeconds={running ? 2 : undefined}>
      <p class="breadcrumb">
        <a href={props.returnTo}>Products</a> /
      </p>
      <h1>{props.title}</h1>
      <p class="muted">{props.scope}</p>
      <Island name="BulkProgress" props={{ initial: props.initial }} />
      {running
        ? (
          <noscript>
            <p class="muted">This page refreshes every few seconds while the job runs.</p>
          </noscript>
        )
        : null}
      <p>
        <a href={props.returnTo}>Back to products</a>
      </p>
    </Layout>
  );
}
