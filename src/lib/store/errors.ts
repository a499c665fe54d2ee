/**
 * Raised when the database cannot be reached, opened, written, or is locked beyond the timeout.
 * HTTP endpoints answer it with 503 (and `Retry-After`) so the client retries: an accepted event is
 * stored or refused out loud, never silently dropped. Everything else (a bug, a constraint broken by
 * bad input) stays an ordinary error.
 */
export class StoreUnavailableError extends Error {
  readonly engine: 'sqlite' | 'postgres';
  constructor(engine: 'sqlite' | 'postgres', message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
    this.engine = engine;
  }
}

export function isStoreUnavailable(error: unknown): error is StoreUnavailableError {
  return error instanceof StoreUnavailableError;
}
