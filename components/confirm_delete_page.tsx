/** The confirmation page a "Delete" link leads to without JavaScript. */
import type { ComponentChildren } from "preact";
import { Layout, type Section } from "./layout.tsx";
import { CsrfField } from "./session.tsx";

/** The no-JavaScript confirmation behind a "Delete" link: what goes, a danger button, a way back. */
export function ConfirmDeletePage(
  props: {
    title: string;
    section: Section;
    action: string;
    buttonLabel: string;
    cancelHref: string;
    /** Fields the form posts along, e.g. where to return to afterwards. */
    hidden?: Record<string, string>;
    children: ComponentChildren;
  },
) {
  return (
    <Layout title={props.title} current={props.section}>
      <h1>{props.title}</h1>
      <form class="card" method="post" action={props.action}>
        <CsrfField />
        {Object.entries(props.hidden ?? {}).map(([name, value]) => (
          <input key={name} type="hidden" name={name} value={value} />
        ))}
        <p>{props.children}</p>
        <div class="actions">
          <button class="btn btn--danger" type="submit">{props.buttonLabel}</button>
          <a class="btn btn--secondary" href={props.cancelHref}>Cancel</a>
        </div>
      </form>
    </Layout>
  );
}
