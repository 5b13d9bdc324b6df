import { useId, type ReactNode, type Ref } from 'react';

interface Props {
  title: string;
  /** Current figures beside the title. */
  figures?: ReactNode;
  actions?: ReactNode;
  /** Points drawn (exposed for tests and for the curious: about CHART_POINTS at most). */
  points?: number;
  wide?: boolean;
  children: ReactNode;
  ref?: Ref<HTMLDivElement>;
}

/** A dashboard card: one heading, its live figures, then the chart. */
export function ChartCard({ title, figures, actions, points, wide, children, ref }: Props) {
  const id = useId();
  return (
    <div ref={ref} className={`card chart-card${wide ? ' wide' : ''}`} role="group" aria-labelledby={id}>
      <div className="card-head">
        <h3 id={id}>{title}</h3>
        {actions && <div className="card-actions">{actions}</div>}
      </div>
      {figures && <div className="figures">{figures}</div>}
      <div className="chart" data-points={points}>
        {children}
      </div>
    </div>
  );
}

/** One labelled number in a card's figure row. */
export function Figure({
  label,
  value,
  tone,
  testId,
}: {
  label: string;
  value: ReactNode;
  tone?: 'good' | 'warn' | 'bad';
  testId?: string;
}) {
  return (
    <span className={`figure${tone ? ` ${tone}` : ''}`} data-testid={testId}>
      <span className="figure-label">{label}</span>
      <span className="figure-value">{value}</span>
    </span>
  );
}
