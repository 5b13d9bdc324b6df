import { useState } from 'react';
import type { ConnectionTest } from '../../src-shared/models.js';
import { useApi } from '../api/context.js';
import { errorValue } from '../api/errors.js';

/** "Test connection" for an OpenAI-compatible address, saved or not: what the server said, and the fix. */
export function TestConnection({ url, apiKey }: { url: string; apiKey?: string }) {
  const api = useApi();
  const [result, setResult] = useState<ConnectionTest | null>(null);
  const [testing, setTesting] = useState(false);
  const test = async () => {
    setTesting(true);
    try {
      setResult(await api.setup.testConnection({ url, ...(apiKey ? { apiKey } : {}) }));
    } catch (err) {
      setResult({ ok: false, message: errorValue(err).message, models: [] });
    } finally {
      setTesting(false);
    }
  };
  return (
    <div className="test-connection">
      <button type="button" className="btn small" disabled={!url.trim() || testing} onClick={() => void test()}>
        {testing ? 'Testing…' : 'Test connection'}
      </button>
      <span role="status" className={`small ${result ? (result.ok ? 'test-ok' : 'test-bad') : ''}`}>
        {result?.message ?? ''}
      </span>
    </div>
  );
}
