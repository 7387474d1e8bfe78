/**
 * A progress bar (browser-safe: islands use it). The native `<progress>` element draws its own fill,
 * so no `style` attribute is needed, which the Content-Security-Policy (`style-src 'self'`) would block.
 */

/** A bar from 0 to 100 %; `tone` picks the colour of a finished job (`complete`, `error`). */
export function ProgressBar(props: { percent: number; tone?: string; label: string }) {
  return (
    <progress
      class={props.tone ? `progress progress--${props.tone}` : "progress"}
      value={props.percent}
      max={100}
      aria-label={props.label}
      role="progressbar"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={props.percent}
    >
      {props.percent}%
    </progress>
  );
}
