import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';
import { useTimeout } from './use-timeout.js';

type Tone = 'info' | 'success' | 'error';
interface Toast {
  readonly id: number;
  readonly text: string;
  readonly tone: Tone;
}

/** How long a toast stays. */
export const TOAST_MS = 4000;

const ToastContext = createContext<(text: string, tone?: Tone) => void>(() => undefined);

export function useToast(): (text: string, tone?: Tone) => void {
  return useContext(ToastContext);
}

/** Short confirmations ("Configuration cache invalidated"), announced politely to screen readers. */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<readonly Toast[]>([]);
  const next = useRef(1);
  const later = useTimeout();
  const push = useCallback(
    (text: string, tone: Tone = 'info') => {
      const id = next.current++;
      setToasts((t) => [...t.slice(-3), { id, text, tone }]);
      later(() => setToasts((t) => t.filter((x) => x.id !== id)), TOAST_MS);
    },
    [later],
  );
  const value = useMemo(() => push, [push]);
  return (
    <ToastContext.Provider value={value}>
      {children}
      <div className="toasts" role="status" aria-live="polite">
        {toasts.map((t) => (
          <div key={t.id} className={`toast ${t.tone}`}>
            {t.text}
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}
