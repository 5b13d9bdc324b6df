import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useSyncExternalStore, type ComponentProps } from 'react';
import type { ChatMessage } from '../../src-shared/chat.js';
import { EmptyState } from './EmptyState.js';
import type { LiveText } from './live-text.js';
import { MessageItem } from './MessageItem.js';
import { Typing } from './Typing.js';

interface Props {
  /** Changes when another conversation opens: a new list, at its end. */
  conversationKey: string;
  messages: readonly ChatMessage[];
  streaming: ReadonlySet<string>;
  awaiting: boolean;
  loading: boolean;
  busy: boolean;
  /** Text streamed into the streaming messages since `messages` last changed. */
  live: LiveText;
  /** Older messages are on the host: asked for when the reader scrolls near the top. */
  hasMore: boolean;
  onLoadOlder: () => void;
  onEdit: (messageId: string, text: string) => void;
  onRegenerate: () => void;
  onConfirmTool: (callId: string, approve: boolean) => void;
  onSuggestion: (text: string) => void;
}

const NEAR_BOTTOM_PX = 64;
const NEAR_TOP_PX = 600;
// About a question and its answer's mean height (67 and 201 px for a typical pair): an estimate far under it
// renders half again as many messages as fit when a conversation opens, each a Markdown parse.
const ROW_ESTIMATE_PX = 170;
// Before the first measurement (and in tests without layout) assume a window-sized viewport.
const INITIAL_RECT = { width: 800, height: 900 };

/** A streaming answer: renders again on each frame of tokens, alone; the list around it does not. */
function LiveMessageItem({ live, message, ...rest }: { live: LiveText } & ComponentProps<typeof MessageItem>) {
  const subscribe = useCallback((onChange: () => void) => live.subscribe(message.id, onChange), [live, message.id]);
  const held = useSyncExternalStore(subscribe, () => live.get(message.id));
  const shown = useMemo(() => (held ? { ...message, content: message.content + held } : message), [message, held]);
  return <MessageItem message={shown} {...rest} />;
}

/**
 * The messages, virtualised: only what is on screen (plus a margin) is in
 * the DOM, so a conversation of thousands of messages scrolls as smoothly as
 * a short one. Rows are measured after render since answers vary in height.
 * While the reader is at the bottom, new text keeps it there; scrolling up
 * to read stops that.
 */
export function MessageList(props: Props) {
  const rows = useMemo(() => props.messages.filter((m) => m.role !== 'system'), [props.messages]);
  if (rows.length === 0 && !props.awaiting) {
    return (
      <div className="messages empty">
        {props.loading ? <p className="loading">Loading…</p> : <EmptyState onPick={props.onSuggestion} />}
      </div>
    );
  }
  // A list per conversation: each opens at its end, never rendering the top of the page on the way there.
  return <MessageRows key={props.conversationKey} {...props} rows={rows} />;
}

function MessageRows(props: Props & { rows: readonly ChatMessage[] }) {
  const { rows, streaming, awaiting, busy, hasMore, onLoadOlder } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);
  const lastAssistant = useMemo(() => {
    for (let i = rows.length - 1; i >= 0; i--) if (rows[i]!.role === 'assistant') return rows[i]!.id;
    return null;
  }, [rows]);
  const count = rows.length + (awaiting ? 1 : 0);
  // Stable while the rows are: a new key function makes the virtualiser measure every row again.
  const getItemKey = useCallback((i: number) => rows[i]?.id ?? 'awaiting', [rows]);

  // eslint-disable-next-line react-hooks/incompatible-library -- Vega runs no React Compiler; the virtualizer is read fresh on every render
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_ESTIMATE_PX,
    overscan: 4,
    getItemKey,
    initialRect: INITIAL_RECT,
    initialOffset: () => Math.max(0, count * ROW_ESTIMATE_PX - INITIAL_RECT.height),
  });

  const stickToBottom = useCallback(() => {
    const el = scroller.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  }, []);

  const total = virtualizer.getTotalSize();
  useLayoutEffect(stickToBottom, [rows, awaiting, total, stickToBottom]);

  // Older messages went in above: keep the reader's place, moved down by their height.
  const firstId = rows[0]?.id;
  const shownFirst = useRef(firstId);
  useLayoutEffect(() => {
    const was = shownFirst.current;
    shownFirst.current = firstId;
    const el = scroller.current;
    if (!el || was === undefined || was === firstId || pinned.current) return;
    const at = rows.findIndex((m) => m.id === was);
    if (at <= 0) return;
    // The row that was at the top of the view, by the old offsets; then scrolled to by index, so the
    // virtualiser keeps it there while the rows above it are measured (an offset would go stale).
    const rowsAbove = virtualizer.measurementsCache;
    const base = rowsAbove[at]?.start ?? 0;
    let top = at;
    while (top + 1 < rows.length && (rowsAbove[top + 1]?.start ?? Infinity) - base <= el.scrollTop) top++;
    virtualizer.scrollToIndex(top, { align: 'start' });
  }, [firstId, rows, virtualizer]);

  const nearTop = useCallback(() => {
    const el = scroller.current;
    // Also when the page does not fill the view: there is no scrolling to ask for more then.
    if (el && hasMore && (el.scrollTop < NEAR_TOP_PX || el.scrollHeight <= el.clientHeight)) onLoadOlder();
  }, [hasMore, onLoadOlder]);
  useEffect(nearTop, [nearTop, rows]);

  const onScroll = () => {
    const el = scroller.current;
    if (el) pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_BOTTOM_PX;
    nearTop();
  };

  const items = virtualizer.getVirtualItems();
  const actions = { busy, onEdit: props.onEdit, onRegenerate: props.onRegenerate, onConfirmTool: props.onConfirmTool };
  return (
    // Focusable so keyboard users can scroll it; not a live region: a
    // screen reader announcing every token would be unusable.
    <div ref={scroller} className="messages" role="region" aria-label="Messages" tabIndex={0} onScroll={onScroll}>
      <div className="messages-inner" style={{ height: total }}>
        <div className="messages-window" style={{ transform: `translateY(${items[0]?.start ?? 0}px)` }}>
          {items.map((item) => {
            const m = rows[item.index];
            return (
              <div key={item.key} data-index={item.index} ref={virtualizer.measureElement} className="msg-row">
                {m && streaming.has(m.id) ? (
                  <LiveMessageItem live={props.live} message={m} streaming last={m.id === lastAssistant} {...actions} />
                ) : m ? (
                  <MessageItem message={m} streaming={false} last={m.id === lastAssistant} {...actions} />
                ) : (
                  <div className="msg assistant">
                    <div className="avatar" aria-hidden="true">
                      V
                    </div>
                    <Typing label="Vega is thinking" />
                  </div>
                )}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
