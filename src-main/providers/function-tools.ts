import type { LlmToolSpec } from './llm.js';

/** Tools in OpenAI's function-calling shape, which Ollama speaks too; undefined when there are none. */
export function functionTools(tools: readonly LlmToolSpec[] | undefined): unknown[] | undefined {
  if (!tools?.length) return undefined;
  return tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters } }));
}

/** A tool call's arguments as an object: servers send a JSON string (OpenAI), an object (Ollama), or something broken. */
export function toolArguments(raw: unknown): Record<string, unknown> {
  let v = raw;
  if (typeof raw === 'string') {
    try {
      v = JSON.parse(raw || '{}') as unknown;
    } catch {
      return {};
    }
  }
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
