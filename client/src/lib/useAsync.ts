import { useCallback, useEffect, useRef, useState } from 'react';
import { errorText } from './api';

/** Loads data when deps change; `reload` refetches; stale answers are dropped. */
export function useAsync<T>(fn: () => Promise<T>, deps: unknown[]) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const run = useRef(0);
  // the caller lists what fn depends on, as with useEffect
  const load = useCallback(fn, deps);
  const reload = useCallback(async () => {
    const mine = ++run.current;
    setLoading(true);
    try {
      const v = await load();
      if (mine === run.current) {
        setData(v);
        setError(null);
      }
    } catch (e) {
      if (mine === run.current) setError(errorText(e));
    } finally {
      if (mine === run.current) setLoading(false);
    }
  }, [load]);
  useEffect(() => {
    void reload();
  }, [reload]);

  return { data, setData, error, loading, reload };
}
