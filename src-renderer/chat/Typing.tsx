/** Three pulsing dots while an answer has not started; the label is for screen readers. */
export function Typing({ label }: { label: string }) {
  return (
    <span className="typing" role="status">
      <span aria-hidden="true" />
      <span aria-hidden="true" />
      <span aria-hidden="true" />
      <span className="sr-only">{label}</span>
    </span>
  );
}
