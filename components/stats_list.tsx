/** The figures under a progress bar: each label over its value. */
export function StatsList(props: { stats: [label: string, value: string][] }) {
  return (
    <dl class="stats">
      {props.stats.map(([label, value]) => (
        <div class="stat" key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
