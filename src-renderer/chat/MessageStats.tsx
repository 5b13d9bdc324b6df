import type { MessageStats as Stats } from '../../src-shared/chat.js';
import { ms } from './format.js';

/** Speed of one answer: tokens per second and time to first token. */
export function MessageStats({ stats }: { stats: Stats }) {
  const parts: string[] = [];
  if (stats.tokensPerSecond !== undefined) parts.push(`${stats.tokensPerSecond.toFixed(1)} tok/s`);
  if (stats.ttftMs !== undefined) parts.push(`first token ${ms(stats.ttftMs)}`);
  if (stats.evalTokens !== undefined) parts.push(`${stats.evalTokens} tokens`);
  if (stats.totalMs !== undefined) parts.push(`total ${ms(stats.totalMs)}`);
  if (parts.length === 0) return null;
  return <span className="msg-stats">{parts.join(' · ')}</span>;
}
