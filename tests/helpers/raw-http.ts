import net from 'node:net';

export interface RawReply {
  readonly status: number;
  readonly head: string;
  readonly body: string;
}

/**
 * One HTTP/1.1 request written byte for byte (any Host header, any path), on
 * a socket from `localAddress` when given; resolves with what came back once
 * the server closes. undici and fetch normalise what this needs to send as is.
 */
export function rawRequest(port: number, head: string, opts: { body?: string; localAddress?: string } = {}): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', localAddress: opts.localAddress });
    const chunks: Buffer[] = [];
    s.on('data', (c) => chunks.push(c));
    s.on('error', reject);
    s.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const cut = text.indexOf('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), head: text.slice(0, cut), body: cut < 0 ? '' : text.slice(cut + 4) });
    });
    s.write(`${head.replace(/\r?\n/g, '\r\n').trimEnd()}\r\nConnection: close\r\n\r\n${opts.body ?? ''}`);
  });
}
