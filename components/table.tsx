/** The data table every list uses: a scrolling wrapper, a header row, then the rows. */
import type { ComponentChildren } from "preact";

/**
 * A table whose header cells are `head` and whose rows are the children. Its box scrolls sideways
 * when the table is wider than the page; the box takes keyboard focus so it can be scrolled without
 * a mouse, and `label` names it for screen readers.
 */
export function DataTable(
  props: { class?: string; label?: string; head: ComponentChildren; children: ComponentChildren },
) {
  return (
    <div class="table-wrap" tabindex={0} role={props.label ? "region" : undefined} aria-label={props.label}>
      <table class={props.class ? `table ${props.class}` : "table"}>
        <thead>
          <tr>{props.head}</tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </div>
  );
}

/**
 * The header cell over a row's buttons: named for screen readers, blank on screen. With the rows'
 * `actions-cell`, the column sticks to the right edge of a table that scrolls sideways.
 */
export function ActionsHeading() {
  return (
    <th class="actions-cell">
      <span class="visually-hidden">Actions</span>
    </th>
  );
}
