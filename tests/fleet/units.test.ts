import { afterEach, describe, expect, it, vi } from 'vitest';
import { Breaker } from '../../src-main/providers/fleet/breaker.js';
import { endpointList } from '../../src-main/providers/fleet/endpoints.js';
import { rank, type Candidate } from '../../src-main/providers/fleet/router.js';
import { Config } from '../../src-main/engine/config.js';
import { formatEndpointList, parseEndpointList } from '../../src-shared/endpoint-list.js';
import { secretsIn } from '../../src-shared/config-keys.js';

describe('endpoint lists', () => {
  it('one URL is a list of one; host:port, weights and order are kept', () => {
    expect(parseEndpointList('http://127.0.0.1:11434').map((e) => [e.url.href, e.weight])).toEqual([['http://127.0.0.1:11434/', 1]]);
    const list = parseEndpointList(' gpu-1:11434|weight=2 , http://gpu-2:11434 ,', { defaultScheme: 'http' });
    expect(list.map((e) => [e.url.host, e.weight])).toEqual([
      ['gpu-1:11434', 2],
      ['gpu-2:11434', 1],
    ]);
    expect(formatEndpointList(list.map((e) => ({ url: e.url.origin, weight: e.weight })))).toBe(
      'http://gpu-1:11434|weight=2,http://gpu-2:11434',
    );
  });

  it('a bad item is named: no scheme where one is needed, an unknown option, a weight out of range', () => {
    expect(() => parseEndpointList('http://a:1,b:2')).toThrow(/"b:2" is not a URL with a scheme/);
    expect(() => parseEndpointList('http://a:1|speed=2')).toThrow(/"speed=2" is not an option/);
    expect(() => parseEndpointList('http://a:1|weight=0')).toThrow(/weight must be above 0/);
    const config = new Config({ OLLAMA_HOST: 'http://a:1|weight=x' }, {}, '/tmp/.env');
    expect(() => endpointList(config, 'OLLAMA_HOST')).toThrow(
      /OLLAMA_HOST="http:\/\/a:1\|weight=x" in \/tmp\/.env is not a list of server URLs/,
    );
  });

  it('OpenAI-compatible keys go by position in OPENAI_API_KEYS, else OPENAI_API_KEY; each is a secret', () => {
    const config = new Config(
      { OPENAI_BASE_URL: 'http://a:1/v1,http://b:2/v1,http://c:3/v1', OPENAI_API_KEYS: 'ka,,kc', OPENAI_API_KEY: 'shared' },
      {},
      '.env',
    );
    expect(endpointList(config, 'OPENAI_BASE_URL').map((e) => e.key)).toEqual(['ka', 'shared', 'kc']);
    expect(secretsIn('OPENAI_API_KEYS', 'ka,,kc')).toEqual(expect.arrayContaining(['ka', 'kc']));
    expect(secretsIn('OLLAMA_HOST', 'http://u:pw@a:1|weight=2,http://b:2')).toEqual(['pw']);
  });
});

describe('breaker', () => {
  afterEach(() => vi.useRealTimers());

  it('opens after the run of failures, lets one probe through after the pause, closes on its success', () => {
    vi.useFakeTimers();
    const b = new Breaker({ failures: 3, pauseMs: 10_000 });
    b.failure();
    b.failure();
    expect(b.state).toBe('closed');
    b.failure();
    expect([b.state, b.allows()]).toEqual(['open', false]);
    vi.advanceTimersByTime(10_000);
    expect([b.state, b.allows()]).toEqual(['half-open', true]);
    b.begin();
    expect(b.allows()).toBe(false); // one probe at a time
    b.success();
    expect([b.state, b.allows()]).toEqual(['closed', true]);
  });

  it('a failed probe opens it for another pause; a success resets the run', () => {
    vi.useFakeTimers();
    const b = new Breaker({ failures: 2, pauseMs: 1_000 });
    b.failure();
    b.success();
    b.failure();
    expect(b.state).toBe('closed');
    b.failure();
    vi.advanceTimersByTime(1_000);
    b.begin();
    b.failure();
    expect(b.state).toBe('open');
    vi.advanceTimersByTime(999);
    expect(b.state).toBe('open');
    vi.advanceTimersByTime(1);
    expect(b.state).toBe('half-open');
  });
});

describe('rank', () => {
  const c = (key: string, o: Partial<Candidate> = {}): Candidate => ({
    key,
    holds: true,
    loaded: false,
    running: 0,
    weight: 1,
    paceMs: null,
    served: 0,
    healthy: true,
    ...o,
  });
  const keys = (cs: Candidate[]) => cs.map((x) => x.key);

  it('leaves out endpoints without the model; known holders before unknown lists', () => {
    expect(keys(rank([c('a', { holds: false }), c('b', { holds: null }), c('c')]))).toEqual(['c', 'b']);
  });
  it('prefers the endpoint where the model is loaded, even when it is busier', () => {
    expect(keys(rank([c('a'), c('b', { loaded: true, running: 3 })]))).toEqual(['b', 'a']);
  });
  it('then the fewest requests running, at each one’s own pace', () => {
    expect(keys(rank([c('a', { running: 2 }), c('b', { running: 1 }), c('c', { running: 0 })]))).toEqual(['c', 'b', 'a']);
    // 1 running at 100 ms waits less than 0 running at 300 ms.
    expect(keys(rank([c('slow', { paceMs: 300 }), c('fast', { paceMs: 100, running: 1 })]))).toEqual(['fast', 'slow']);
  });
  it('then weight: a heavier endpoint counts as less busy and takes more of the idle turns', () => {
    expect(keys(rank([c('a', { running: 1 }), c('b', { running: 1, weight: 3 })]))).toEqual(['b', 'a']);
    expect(keys(rank([c('a', { served: 2, weight: 2 }), c('b', { served: 2 })]))).toEqual(['a', 'b']);
  });
  it("keeps the conversation's endpoint first while it is healthy, not when its breaker is open", () => {
    expect(keys(rank([c('a', { loaded: true }), c('b', { running: 5 })], 'b'))).toEqual(['b', 'a']);
    expect(keys(rank([c('a'), c('b', { healthy: false })], 'b'))).toEqual(['a', 'b']);
  });
});
