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
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0),
        head: text.slice(0, cut),
        body: cut < 0 ? '' : text.slice(cut + 4),
      });
    });
    s.write(`${head.replace(/\r?\n/g, '\r\n').trimEnd()}\r\nConnection: close\r\n\r\n${opts.body ?? ''}`);
  });
}

/** The head of a WebSocket upgrade to /ws with the key in the query, as the window sends it. */
export function upgradeHead(token: string, host = '127.0.0.1'): string {
  return `GET /ws?token=${token} HTTP/1.1\nHost: ${host}\nUpgrade: websocket\nConnection: Upgrade\nSec-WebSocket-Key: ${Buffer.from('0123456789abcdef').toString('base64')}\nSec-WebSocket-Version: 13`;
}

/**
 * A WebSocket that completes its handshake and then never reads again (a
 * frozen tab): the kernel's buffers fill, then the host's queue for it grows.
 */
export function stalledWebSocket(port: number, token: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(`${upgradeHead(token).replace(/\n/g, '\r\n')}\r\n\r\n`));
    s.once('data', (head) => {
      s.pause();
      if (head.toString('latin1').startsWith('HTTP/1.1 101')) resolve(s);
      else reject(new Error(head.toString('latin1').split('\r\n')[0]));
    });
    s.once('error', reject);
  });
}
