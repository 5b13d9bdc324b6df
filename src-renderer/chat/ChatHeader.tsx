import { useState } from 'react';
import type { ProviderId } from '../../src-shared/chat.js';
import { ExportMenu } from './ExportMenu.js';
import { ModelPicker } from './ModelPicker.js';
import { SystemPromptPanel } from './SystemPromptPanel.js';
import type { ChatController } from './use-chat.js';

// Keyed by ProviderId so a provider added to the contract fails the type check here.
// (chat.ts's PROVIDERS is not imported: that module would bring zod into the bundle.)
const PROVIDER_LABELS: Record<ProviderId, string> = { ollama: 'Ollama', openai: 'OpenAI-compatible' };
const PROVIDERS = Object.keys(PROVIDER_LABELS) as ProviderId[];

/** Title, provider, model and system prompt of the open conversation (or of the next one); export once it exists. */
export function ChatHeader({ chat }: { chat: ChatController }) {
  const { settings, current } = chat;
  const [promptOpen, setPromptOpen] = useState(false);
  return (
    <div className="chat-header">
      <div className="chat-header-row">
        <h1 className="chat-title">{current?.title || 'New chat'}</h1>
        <div className="chat-controls">
          <label className="field-inline">
            <span>Provider</span>
            <select value={settings.provider} onChange={(e) => chat.setSettings({ provider: e.target.value as ProviderId, model: '' })}>
              {PROVIDERS.map((p) => (
                <option key={p} value={p}>
                  {PROVIDER_LABELS[p]}
                </option>
              ))}
            </select>
          </label>
          <ModelPicker provider={settings.provider} value={settings.model} onChange={(model) => chat.setSettings({ model })} />
          <button
            type="button"
            className={`btn ghost small${settings.systemPrompt ? ' has-value' : ''}`}
            aria-expanded={promptOpen}
            onClick={() => setPromptOpen((o) => !o)}
          >
            System prompt
          </button>
          {chat.state.conversationId !== null && <ExportMenu conversationId={chat.state.conversationId} />}
        </div>
      </div>
      {promptOpen && (
        <SystemPromptPanel
          value={settings.systemPrompt}
          onSave={(systemPrompt) => {
            chat.setSettings({ systemPrompt });
            setPromptOpen(false);
          }}
          onCancel={() => setPromptOpen(false)}
        />
      )}
    </div>
  );
}
