import { useRef, type KeyboardEvent } from 'react';

export const VIEWS = ['chat', 'models', 'dashboard', 'logs', 'settings'] as const;
export type View = (typeof VIEWS)[number];
const LABELS: Record<View, string> = { chat: 'Chat', models: 'Models', dashboard: 'Dashboard', logs: 'Logs', settings: 'Settings' };

/** The header's view switcher: WAI-ARIA tabs (arrow keys move, one tab stop). */
export function Tabs({ value, onChange }: { value: View; onChange: (v: View) => void }) {
  const refs = useRef<Partial<Record<View, HTMLButtonElement | null>>>({});
  const onKeyDown = (e: KeyboardEvent) => {
    const i = VIEWS.indexOf(value);
    let next: View | undefined;
    if (e.key === 'ArrowRight') next = VIEWS[(i + 1) % VIEWS.length];
    else if (e.key === 'ArrowLeft') next = VIEWS[(i - 1 + VIEWS.length) % VIEWS.length];
    else if (e.key === 'Home') next = VIEWS[0];
    else if (e.key === 'End') next = VIEWS[VIEWS.length - 1];
    if (!next) return;
    e.preventDefault();
    onChange(next);
    refs.current[next]?.focus();
  };
  return (
    // eslint-disable-next-line jsx-a11y/interactive-supports-focus -- keys bubble up from the focused tab (roving tabindex)
    <div role="tablist" aria-label="Views" className="tabs" onKeyDown={onKeyDown}>
      {VIEWS.map((v) => (
        <button
          key={v}
          ref={(el) => {
            refs.current[v] = el;
          }}
          type="button"
          role="tab"
          id={`tab-${v}`}
          aria-controls={`panel-${v}`}
          aria-selected={value === v}
          tabIndex={value === v ? 0 : -1}
          className="tab"
          onClick={() => onChange(v)}
        >
          {LABELS[v]}
        </button>
      ))}
    </div>
  );
}
