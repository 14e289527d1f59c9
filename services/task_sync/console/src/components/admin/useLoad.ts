import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { errorView } from "../../lib/errors";
import "./admin.css";

/** What a page says went wrong: a sentence in the person's language (a refusal's server words
 * in small print when the sentence is a general one). */
export type Problem = ComponentChildren;

/** Data of an admin page: loaded on mount and by ``reload``, with what went wrong on failure. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[] = []) {
  const [data, setData] = useState<T | null>(null);
  const [problem, setProblem] = useState<Problem>(null);
  const reload = async () => {
    try {
      setData(await load());
      setProblem(null);
    } catch (exc) {
      setProblem(errorView(exc));
    }
  };
  useEffect(() => void reload(), deps);
  return { data, problem, reload, setProblem };
}

/** Run an admin action; its failure becomes the page's problem, its success a note. */
export async function attempt(action: () => Promise<unknown>, fail: (problem: Problem) => void,
                              then?: () => unknown): Promise<boolean> {
  try {
    await action();
    await then?.();
    return true;
  } catch (exc) {
    fail(errorView(exc));
    return false;
  }
}
