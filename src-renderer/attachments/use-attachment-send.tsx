import { useCallback, useState, type ReactNode } from 'react';
import type { CannotSeeDetails, ExceedContextDetails } from '../../src-shared/attachments.js';
import type { VegaErrorValue } from '../../src-shared/errors.js';
import type { SendExtra } from '../chat/use-chat.js';
import { integer } from '../dashboard/format.js';
import type { AttachmentDraft } from './use-attachment-draft.js';

/** The host refused the message before asking any model; the text waits here (and in the box) for the person's choice. */
type Refusal =
  | { readonly kind: 'vision'; readonly text: string; readonly message: string; readonly models: readonly string[] }
  | { readonly kind: 'context'; readonly text: string; readonly message: string; readonly tokens: number; readonly contextTokens: number };

const stringList = (v: unknown): readonly string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const count = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

function refusalOf(e: VegaErrorValue, text: string): Refusal | null {
  if (e.code === 'model_cannot_see') {
    const d = (e.details ?? {}) as Partial<CannotSeeDetails>;
    return { kind: 'vision', text, message: e.message, models: stringList(d.visionModels) };
  }
  if (e.code === 'attachments_exceed_context') {
    const d = (e.details ?? {}) as Partial<ExceedContextDetails>;
    return { kind: 'context', text, message: e.message, tokens: count(d.tokens), contextTokens: count(d.contextTokens) };
  }
  return null;
}

const isRefusal = (e: VegaErrorValue) => e.code === 'model_cannot_see' || e.code === 'attachments_exceed_context';

export interface AttachmentSendDeps {
  readonly draft: AttachmentDraft;
  /** The chat's send, which takes the attachment ids. */
  readonly send: (text: string, extra?: SendExtra) => Promise<VegaErrorValue | null>;
  /** How a message without attachments goes (through the context-window guard). */
  readonly sendText: (text: string) => Promise<void>;
  /** Put the text back in the message box. */
  readonly restore: (text: string) => void;
  readonly switchModel: (model: string) => void;
}

/**
 * Sending a message with attachments. The chips are cleared only once the
 * host took the message; on any refusal the text goes back in the box and
 * the chips stay. Two refusals get a choice: an image for a model that
 * cannot see (use one of the installed models that can), and documents
 * larger than the context window (include their first part).
 */
export function useAttachmentSend({ draft, send: sendWith, sendText, restore, switchModel }: AttachmentSendDeps): {
  readonly send: (text: string) => Promise<void>;
  readonly prompt: ReactNode;
} {
  const [refusal, setRefusal] = useState<Refusal | null>(null);

  const attempt = useCallback(
    async (text: string, includeFirstPart: boolean) => {
      setRefusal(null);
      const attachments = draft.ready.map((r) => r.id);
      const error = await sendWith(text, { attachments, includeFirstPart, handles: isRefusal });
      if (!error) {
        draft.clear();
        // From the prompt, the box still holds the text put back after the refusal.
        if (includeFirstPart) restore('');
        return;
      }
      restore(text);
      setRefusal(refusalOf(error, text));
    },
    [draft, sendWith, restore],
  );

  const send = useCallback(
    async (text: string) => {
      if (draft.chips.length === 0) return sendText(text);
      // The Send button waits for them; Enter pressed meanwhile puts the text back.
      if (draft.preparing) return restore(text);
      // Every chip failed: the text goes alone; the chips' messages were seen, and go with it.
      if (draft.ready.length === 0) {
        draft.clear();
        return sendText(text);
      }
      await attempt(text, false);
    },
    [draft, sendText, restore, attempt],
  );

  const prompt = refusal ? (
    <div className="banner warn attach-prompt" role="alert">
      <span className="banner-text">
        {refusal.message}
        {refusal.kind === 'context' && refusal.contextTokens > 0 && (
          <>
            {' '}
            (~{integer(refusal.tokens)} tokens; the context window holds {integer(refusal.contextTokens)}.)
          </>
        )}
      </span>
      {refusal.kind === 'vision' &&
        refusal.models.map((m) => (
          <button
            key={m}
            type="button"
            className="btn small"
            onClick={() => {
              setRefusal(null);
              switchModel(m);
            }}
          >
            Use {m}
          </button>
        ))}
      {refusal.kind === 'context' && (
        <button type="button" className="btn small" onClick={() => void attempt(refusal.text, true)}>
          Include the first part
        </button>
      )}
      <button type="button" className="btn ghost small" onClick={() => setRefusal(null)}>
        Dismiss
      </button>
    </div>
  ) : null;

  return { send, prompt };
}
