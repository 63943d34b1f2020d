/**
 * `load`'s promise, shared by every call of the next `ttlMs` milliseconds; a promise that
 * rejects is dropped at once, so the next call loads again instead of repeating the failure.
 */
export function cachedFor<T>(ttlMs: number, load: () => Promise<T>, now: () => number = Date.now): () => Promise<T> {
  let entry: { value: Promise<T>; at: number } | undefined;
  return () => {
    if (!entry || now() - entry.at > ttlMs) {
      const current = { value: load(), at: now() };
      current.value.catch(() => {
        if (entry === current) entry = undefined;
      });
      entry = current;
    }
    return entry.value;
  };
}
