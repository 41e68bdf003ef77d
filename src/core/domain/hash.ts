// FNV-1a (32-bit): stable and dependency-free, for spreading and shortening keys, not for secrecy.

export function fnv1a(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * Sixteen hex digits standing for the whole of `text` (FNV-1a under two seeds): what a key cut to
 * fit keeps after its head, so the same key always maps to the same short one and keys differing
 * only past the cut stay apart.
 */
export function keyHash(text: string): string {
  return [0x811c9dc5, 0x9747b28c].map((seed) => fnv1a(text, seed).toString(16).padStart(8, '0')).join('');
}
