interface Props {
  id: string;
  /** What a click does; without it the id is plain text. */
  onPick?: ((id: string) => void) | null | undefined;
  /** The accessible name's verb: "Show logs for request …" by default. */
  action?: string;
}

/**
 * A request id, short (its first 8 characters) with the whole id in the
 * tooltip: the thread from a chat answer or an outbound request to its log
 * lines. Clicking it follows that thread.
 */
export function RequestId({ id, onPick, action = 'Show logs for request' }: Props) {
  const short = id.slice(0, 8);
  if (!onPick) {
    return (
      <span className="reqid" title={`Request ID ${id}`} data-request-id={id}>
        {short}
      </span>
    );
  }
  return (
    <button
      type="button"
      className="reqid link"
      title={`Request ID ${id}: show its log lines`}
      aria-label={`${action} ${id}`}
      data-request-id={id}
      onClick={() => onPick(id)}
    >
      {short}
    </button>
  );
}
