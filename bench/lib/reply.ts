/** "t0 t1 t2 …": the Ollama stand-in cuts it into exactly `n` tokens ("t0", " t1", " t2", …). */
export function replyOf(n: number): string {
  return Array.from({ length: n }, (_, i) => `t${i}`).join(' ');
}

/** End offset (in characters) of each token of replyOf(n). */
export function tokenEnds(n: number): number[] {
  const ends: number[] = [];
  let at = 0;
  for (let i = 0; i < n; i++) {
    at += (i === 0 ? 0 : 1) + `t${i}`.length;
    ends.push(at);
  }
  return ends;
}
