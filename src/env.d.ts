declare namespace App {
  interface Locals {
    /** The client as src/middleware.ts worked it out (behind a trusted proxy: the real one). */
    client: import('./lib/engagement/proxy.ts').Client;
  }
}
