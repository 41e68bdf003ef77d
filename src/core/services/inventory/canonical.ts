/** Drops null and undefined fields so documents compare and read cleanly. */
export function compact<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined)) as T;
}

/** JSON with object keys sorted and empty fields dropped, so equal items compare equal however spelled. */
export function canonical(value: unknown): string {
  const normalise = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(normalise);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.entries(compact(v as Record<string, unknown>))
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([k, x]) => [k, normalise(x)]),
      );
    }
    return v;
  };
  return JSON.stringify(normalise(value));
}
