import { useSignal } from "@preact/signals";
// The field rules' own module, not core/products/mod.ts, which pulls in server code.
import { type ProductField, productFieldError } from "../core/products/fields.ts";
import { CsrfField, IfCanChange, usePageSession } from "../components/session.tsx";

/** Field values as the form shows them (strings, as typed). */
export interface ProductFormValues {
  sku: string;
  name: string;
  description: string;
  price: string;
  active: boolean;
}

/** Props of {@linkcode ProductForm}. */
export interface ProductFormProps {
  action: string;
  values: ProductFormValues;
  /** Messages from the server, by field name. */
  errors: Record<string, string>;
  submitLabel: string;
}

const CHECKED_FIELDS: readonly ProductField[] = ["sku", "name", "price", "description"];

function isCheckedField(name: string): name is ProductField {
  return (CHECKED_FIELDS as readonly string[]).includes(name);
}

/**
 * The create / edit form: a plain POST form that also validates as you type. Inputs are
 * uncontrolled (`defaultValue`), so re-rendering an error never resets what the user typed.
 */
export default function ProductForm(props: ProductFormProps) {
  const errors = useSignal<Record<string, string>>(props.errors);
  const submitting = useSignal(false);

  const onInput = (event: Event) => {
    const input = event.target as HTMLInputElement;
    const field = input.name;
    if (!isCheckedField(field)) return;
    // The same rules as the server's, checked as the user types; the server stays the authority.
    const message = productFieldError(field, input.value);
    const next = { ...errors.value };
    if (message) next[field] = message;
    else delete next[field];
    errors.value = next;
  };

  const onSubmit = (event: SubmitEvent) => {
    const form = event.currentTarget as HTMLFormElement;
    const found: Record<string, string> = {};
    for (const field of CHECKED_FIELDS) {
      const message = productFieldError(field, (form.elements.namedItem(field) as HTMLInputElement).value);
      if (message) found[field] = message;
    }
    if (Object.keys(found).length > 0) {
      event.preventDefault();
      errors.value = found;
      return;
    }
    submitting.value = true;
  };

  const field = (name: keyof ProductFormValues, label: string, input: preact.JSX.Element, hint?: string) => (
    <div class={errors.value[name] ? "field field--invalid" : "field"}>
      <label class="field-label" for={`product-${name}`}>{label}</label>
      {input}
      {errors.value[name]
        ? <span class="field-error" id={`product-${name}-error`} role="alert">{errors.value[name]}</span>
        : hint
        ? <span class="field-hint">{hint}</span>
        : null}
    </div>
  );
  // What every input shares: its id, name and the links to its error message.
  const common = (name: keyof ProductFormValues) => ({
    id: `product-${name}`,
    name,
    "aria-invalid": errors.value[name] ? ("true" as const) : undefined,
    "aria-describedby": errors.value[name] ? `product-${name}-error` : undefined,
  });
  const v = props.values;

  return (
    <form
      class="card product-form"
      method="post"
      action={props.action}
      onInput={onInput}
      onSubmit={onSubmit}
      noValidate
    >
      <CsrfField />
      {field(
        "sku",
        "SKU",
        <input {...common("sku")} defaultValue={v.sku} required />,
        "Unique, whatever the letter case.",
      )}
      {field(
        "name",
        "Name",
        <input {...common("name")} defaultValue={v.name} required />,
      )}
      {field(
        "description",
        "Description",
        <textarea {...common("description")} rows={5} defaultValue={v.description} />,
      )}
      {field(
        "price",
        "Price",
        <input {...common("price")} defaultValue={v.price} inputMode="decimal" placeholder="19.99" />,
        "Leave empty for no price.",
      )}
      <label class="checkbox">
        <input type="checkbox" name="active" value="true" defaultChecked={v.active} /> Active
      </label>
      <div class="actions">
        <IfCanChange>
          <button class="btn" type="submit" disabled={submitting.value}>{props.submitLabel}</button>
        </IfCanChange>
        <a class="btn btn--secondary" href="/">{usePageSession().canChange ? "Cancel" : "Back"}</a>
      </div>
    </form>
  );
}
