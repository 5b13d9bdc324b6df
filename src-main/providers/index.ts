export { OllamaProvider } from './ollama.js';
export { OpenAIProvider } from './openai.js';
export type { LlmMessage, LlmProvider, LlmToolCall, LlmToolSpec, StreamPart, StreamRequest, StreamStats } from './llm.js';
