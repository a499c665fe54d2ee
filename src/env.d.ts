declare namespace App {
  interface Locals {
    /** The client as src/middleware.ts worked it out (behind a trusted proxy: the real one). */
    client: import('./lib/engagement/proxy.ts').Client;
    /** The page `aircover build` renders through the server (src/lib/build/partner-render.ts). */
    partnerPage?: import('./lib/campaign/site.ts').PartnerPage;
  }
}
