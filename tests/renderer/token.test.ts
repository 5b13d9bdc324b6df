// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { readToken, takeTokenFromLocation } from '../../src-renderer/api/token.js';

afterEach(() => {
  sessionStorage.clear();
  history.replaceState(null, '', '/');
});

describe('the key in the address', () => {
  it('is moved to sessionStorage and removed from the address bar, keeping the rest', () => {
    history.replaceState(null, '', '/?token=s3cret&view=1#dashboard');
    expect(takeTokenFromLocation()).toBe('s3cret');
    expect(location.search).toBe('?view=1');
    expect(location.hash).toBe('#dashboard');
    expect(location.href).not.toContain('s3cret');
    expect(readToken()).toBe('s3cret');
  });

  it('comes from sessionStorage after a reload', () => {
    history.replaceState(null, '', '/?token=abc');
    takeTokenFromLocation();
    history.replaceState(null, '', '/');
    expect(takeTokenFromLocation()).toBe('abc');
  });

  it('is null when there is none', () => {
    expect(takeTokenFromLocation()).toBeNull();
  });
});
