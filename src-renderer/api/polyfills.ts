/**
 * `crypto.randomUUID` exists only in secure contexts (https, localhost). The
 * web host may be opened over plain http on a LAN address, where it is
 * missing, and every call makes a request id with it. getRandomValues is
 * available everywhere, so build the same v4 UUID from it.
 */
if (typeof globalThis.crypto?.randomUUID !== 'function' && typeof globalThis.crypto?.getRandomValues === 'function') {
  const randomUUID = (): `${string}-${string}-${string}-${string}-${string}` => {
    const b = globalThis.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6]! & 0x0f) | 0x40;
    b[8] = (b[8]! & 0x3f) | 0x80;
    const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  };
  Object.defineProperty(globalThis.crypto, 'randomUUID', { value: randomUUID, configurable: true });
}

export {};
