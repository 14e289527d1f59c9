import { useEffect, useState } from "preact/hooks";
import { ApiError } from "../../api/client";

/** Data of an admin page: loaded on mount and by ``reload``, with the server's reason on failure. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[] = []) {
  const [data, setData] = useState<T | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const reload = async () => {
    try {
      setData(await load());
      setProblem(null);
    } catch (exc) {
      setProblem(exc instanceof ApiError ? exc.reason : String(exc));
    }
  };
  useEffect(() => void reload(), deps);
  return { data, problem, reload, setProblem };
}

/** Run an admin action; its failure becomes the page's problem, its success a note. */
export async function attempt(action: () => Promise<unknown>, fail: (reason: string) => void,
                              then?: () => unknown): Promise<boolean> {
  try {
    await action();
    await then?.();
    return true;
  } catch (exc) {
    fail(exc instanceof ApiError ? exc.reason : String(exc));
    return false;
  }
}
