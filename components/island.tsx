import type { ComponentChildren } from "preact";

/**
 * Marks server-rendered island HTML for hydration: `islands/boot.ts` finds the marker,
 * looks the island up by name and hydrates it with the JSON props.
 */
export function Island(props: { name: string; props: unknown; children: ComponentChildren }) {
  return (
    <div data-island={props.name} data-props={JSON.stringify(props.props)}>
      {props.children}
    </div>
  );
}
