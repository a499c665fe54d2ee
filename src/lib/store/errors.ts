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
 * The store is there but behind the code: a command that only reads, or a dry run, applies no
 * migration and says so. Its own name, so the CLI's hint says what to run, not to check the
 * connection.
 */
export class StoreMigrationsPendingError extends StoreUnavailableError {
  constructor(engine: 'sqlite' | 'postgres', message: string) {
    super(engine, message);
    this.name = 'StoreMigrationsPendingError';
  }
}

/**
 * By name, not `instanceof`: the server's store (src/) and the routes Astro bundled into dist/
 * each hold their own copy of this class, and an error crosses from one to the other.
 */
export function isStoreUnavailable(error: unknown): error is StoreUnavailableError {
  return (
    error instanceof Error &&
    (error.name === 'StoreUnavailableError' || error.name === 'StoreMigrationsPendingError')
  );
}
