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

/**
 * By name, not `instanceof`: the server's store (src/) and the routes Astro bundled into dist/
 * each hold their own copy of this class, and an error crosses from one to the other.
 */
export function isStoreUnavailable(error: unknown): error is StoreUnavailableError {
  return error instanceof Error && error.name === 'StoreUnavailableError';
}
