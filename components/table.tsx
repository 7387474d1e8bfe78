/** The data table every list uses: a scrolling wrapper, a header row, then the rows. */
import type { ComponentChildren } from "preact";

/** A table whose header cells are `head` and whose rows are the children. */
export function DataTable(props: { class?: string; head: ComponentChildren; children: ComponentChildren }) {
  return (
    <div class="table-wrap">
      <table class={props.class ? `table ${props.class}` : "table"}>
        <thead>
          <tr>{props.head}</tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </div>
  );
}

/** The header cell over a row's buttons: named for screen readers, blank on screen. */
export function ActionsHeading() {
  return (
    <th>
      <span class="visually-hidden">Actions</span>
    </th>
  );
}
