import { useCallback, useEffect, useRef, useState, type SetStateAction } from 'react';
import { errorText } from './api';

/**
 * Loads data when deps change; `reload` refetches; stale answers are dropped. `setData` is for
 * live changes (an event pushed by the hub): one made while a load is in flight makes that load's
 * answer stale too, since the hub may have read before the change, so it is loaded again —
 * otherwise a document arriving while the inbox loads would vanish from the list when the
 * answer lands.
 */
export function useAsync<T>(fn: () => Promise<T>, deps: unknown[]) {
  const [data, setState] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const run = useRef(0);
  const changedDuringLoad = useRef(false);
  // the caller lists what fn depends on, as with useEffect
  const load = useCallback(fn, deps);
  const reload = useCallback(async (): Promise<void> => {
    const mine = ++run.current;
    changedDuringLoad.current = false;
    setLoading(true);
    try {
      const v = await load();
      if (mine !== run.current) return;
      if (changedDuringLoad.current) return await reload();
      setState(v);
      setError(null);
    } catch (e) {
      if (mine === run.current) setError(errorText(e));
    } finally {
      if (mine === run.current) setLoading(false);
    }
  }, [load]);
  const setData = useCallback((next: SetStateAction<T | undefined>) => {
    changedDuringLoad.current = true;
    setState(next);
  }, []);
  useEffect(() => {
    void reload();
  }, [reload]);

  return { data, setData, error, loading, reload };
}
