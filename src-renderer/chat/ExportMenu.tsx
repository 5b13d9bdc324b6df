import { useState } from 'react';
import { useApi } from '../api/context.js';
import { errorValue } from '../api/errors.js';
import { downloadText } from '../app/download.js';
import { useToast } from '../app/Toasts.js';

const FORMATS = [
  { format: 'markdown', label: 'Markdown', mime: 'text/markdown' },
  { format: 'json', label: 'JSON', mime: 'application/json' },
] as const;

/** "Export as Markdown" / "Export as JSON": the host renders the conversation, the window saves it as a download. */
export function ExportMenu({ conversationId }: { conversationId: string }) {
  const api = useApi();
  const toast = useToast();
  const [busy, setBusy] = useState(false);

  const run = async (format: (typeof FORMATS)[number]) => {
    setBusy(true);
    try {
      const { filename, content } = await api.chat.export({ conversationId, format: format.format });
      downloadText(filename, content, format.mime);
      toast(`Exported ${filename}`, 'success');
    } catch (err) {
      toast(errorValue(err).message, 'error');
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="export-group" role="group" aria-label="Export conversation">
      <span className="export-label" aria-hidden="true">
        Export
      </span>
      {FORMATS.map((f) => (
        <button
          key={f.format}
          type="button"
          className="btn ghost small"
          aria-label={`Export as ${f.label}`}
          title={`Export as ${f.label}`}
          disabled={busy}
          onClick={() => void run(f)}
        >
          {f.label}
        </button>
      ))}
    </div>
  );
}
