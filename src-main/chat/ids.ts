import { randomUUID } from 'node:crypto';

/** 32 hex characters: matches the contract's ID pattern and is safe as a file name. */
export function newId(): string {
  return randomUUID().replaceAll('-', '');
}

export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
