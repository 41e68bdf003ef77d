// Secrets are write-only. An answer shows a stored secret (push token, header value, webhook
// secret, routing key) only when it has just been created or rotated; every other answer, for
// every role, and the inventory export unless an admin asks, shows SECRET_MASK in its place — the
// form GitHub's webhook API uses (`"secret": "********"`). A write that sends the mask back keeps
// the stored value, so a GET → edit → PATCH (or export → apply) round trip loses nothing.
export const SECRET_MASK = '********';

/** Whether an answer may carry the stored secrets: only the one that created (or rotated) them. */
export type SecretsIn = 'masked' | 'shown';

export function maskHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(headers).map((name) => [name, SECRET_MASK]));
}

/**
 * Headers as given, each value sent as the mask replaced by the stored value of the same header
 * (names compare case-insensitively). A masked header with nothing stored is a problem at `path`.
 */
export function restoreMaskedHeaders(
  given: Record<string, string> | undefined,
  stored: Record<string, string> | undefined,
  path: Array<string | number>,
): { headers: Record<string, string> | undefined; problems: Array<{ path: Array<string | number>; message: string }> } {
  if (!given) return { headers: given, problems: [] };
  const before = new Map(Object.entries(stored ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
  const problems: Array<{ path: Array<string | number>; message: string }> = [];
  const headers = Object.fromEntries(
    Object.entries(given).map(([name, value]) => {
      if (value !== SECRET_MASK) return [name, value];
      const kept = before.get(name.toLowerCase());
      if (kept === undefined) problems.push({ path: [...path, name], message: `"${SECRET_MASK}" keeps the stored value, and none is stored; give the value` });
      return [name, kept ?? value];
    }),
  );
  return { headers, problems };
}
