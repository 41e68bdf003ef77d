// Turns what a runtime threw into words a watch officer understands. Runtimes differ in their
// errors (Node codes, undici codes, Workers messages), so this only reads `code` and `message`.

const MESSAGES_BY_CODE: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by the target',
  EPIPE: 'connection closed by the target',
  UND_ERR_SOCKET: 'connection closed by the target',
  ECONNABORTED: 'connection aborted',
  ENOTFOUND: 'host name not found',
  EAI_NONAME: 'host name not found',
  EAI_AGAIN: 'host name lookup failed (temporary)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EADDRNOTAVAIL: 'address not available',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_HEADERS_TIMEOUT: 'no response headers in time',
  UND_ERR_BODY_TIMEOUT: 'response body stalled',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'response shorter or longer than its content-length',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in the chain',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'certificate cannot be verified (untrusted issuer or missing intermediate)',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'certificate issuer is not trusted',
  UNABLE_TO_GET_ISSUER_CERT: 'certificate issuer is not trusted',
  CERT_HAS_EXPIRED: 'certificate has expired',
  CERT_NOT_YET_VALID: 'certificate is not yet valid',
  CERT_REVOKED: 'certificate has been revoked',
  CERT_SIGNATURE_FAILURE: 'certificate signature is invalid',
  ERR_TLS_CERT_ALTNAME_INVALID: 'certificate does not match the host name',
  EPROTO: 'TLS protocol error',
};

/** A readable reason for a certificate or network error code; null when the code is unknown. */
export function describeErrorCode(code: string): string | null {
  if (code.startsWith('HPE_')) return 'invalid HTTP response';
  return MESSAGES_BY_CODE[code] ?? null;
}

/** Why an operation failed. A timeout wins: after an abort, whatever else was thrown is noise. */
export function describeFailure(error: unknown, signal: AbortSignal, elapsedMs: number): string {
  if (signal.aborted) return `timed out after ${Math.round(elapsedMs)} ms`;
  for (const candidate of errorChain(error)) {
    const code = (candidate as { code?: unknown }).code;
    if (typeof code === 'string') {
      const known = describeErrorCode(code);
      // The host-name mismatch message names the host and the certificate's names: keep it.
      if (known && code !== 'ERR_TLS_CERT_ALTNAME_INVALID') return known;
    }
  }
  if (error instanceof Error && error.message) return error.message;
  return String(error);
}

/** The error, then its causes and aggregated errors, most specific first. */
function errorChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    chain.unshift(current);
    const errors = (current as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors[0]) chain.unshift(errors[0]);
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}

/** Milliseconds rounded to 0.1, the precision that observations carry. */
export function roundMs(ms: number): number {
  return Math.round(ms * 10) / 10;
}
