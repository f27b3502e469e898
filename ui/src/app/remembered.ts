import { useState } from 'react';

/** A piece of UI state kept in localStorage (column choice), read back defensively. */
export function useRemembered<T>(key: string, initial: T, check: (value: unknown) => value is T): [T, (value: T) => void] {
  const [value, setValue] = useState<T>(() => {
    try {
      const stored: unknown = JSON.parse(window.localStorage.getItem(key) ?? 'null');
      return check(stored) ? stored : initial;
    } catch {
      return initial;
    }
  });
  const set = (next: T) => {
    setValue(next);
    try {
      window.localStorage.setItem(key, JSON.stringify(next));
    } catch {
      // Not remembered; the choice holds for this page.
    }
  };
  return [value, set];
}
