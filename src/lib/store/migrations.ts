/**
 * The one list of schema migrations for both engines. Migrations are data, not files, so Vite
 * bundles them with the server and the CLI reads the same list.
 *
 * Rules:
 * - Append only. Never edit an applied migration; `aircover db status` flags a changed one.
 * - Keep SQL portable. The few type differences are written as tokens that `renderMigration`
 *   replaces per dialect; for anything larger give `{ sqlite, postgres }` variants.
 * - No foreign keys between these tables on purpose: an event or response must never be refused
 *   because a partner row is missing (a partner removed from the CSV, a public webinar registrant).
 */
import type { Engine } from './types.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string | { sqlite: string; postgres: string };
}

/** Portable type tokens: `{{id}}`, `{{ts}}`, `{{json}}`, `{{bool}}`. */
const tokens: Record<Engine, Record<string, string>> = {
  sqlite: {
    id: 'INTEGER PRIMARY KEY AUTOINCREMENT',
    ts: 'TEXT',
    json: 'TEXT',
    bool: 'INTEGER',
  },
  postgres: {
    id: 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY',
    ts: 'TIMESTAMPTZ',
    json: 'JSONB',
    bool: 'BOOLEAN',
  },
};

export function renderMigration(migration: Migration, engine: Engine): string {
  const sql = typeof migration.sql === 'string' ? migration.sql : migration.sql[engine];
  return sql.replace(/\{\{(\w+)\}\}/g, (match, name: string) => {
    const value = tokens[engine][name];
    if (value === undefined) throw new Error(`migration ${migration.version}: unknown token ${match}`);
    return value;
  });
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
-- Partners of each campaign. The token is the personal page's key, so it is unique everywhere.
CREATE TABLE partners (
  campaign TEXT NOT NULL,
  partner_id TEXT NOT NULL,
  token TEXT NOT NULL UNIQUE,
  email TEXT NOT NULL,
  company TEXT,
  first_name TEXT,
  last_name TEXT,
  owner TEXT,
  referrer_email TEXT,
  data {{json}} NOT NULL,
  created_at {{ts}} NOT NULL,
  updated_at {{ts}} NOT NULL,
  PRIMARY KEY (campaign, partner_id)
);
CREATE INDEX partners_email ON partners (email);

-- The only truth about what was sent. The primary key is the guarantee against duplicates:
-- one row per (campaign, touch, partner), whatever the sender does.
CREATE TABLE send_ledger (
  campaign TEXT NOT NULL,
  touch TEXT NOT NULL,
  partner_id TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('planned', 'sending', 'sent', 'failed', 'skipped')),
  recipient TEXT NOT NULL,
  idempotency_key TEXT NOT NULL UNIQUE,
  content_version TEXT,
  provider_message_id TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  retryable {{bool}} NOT NULL DEFAULT FALSE,
  last_error TEXT,
  skip_reason TEXT,
  planned_at {{ts}} NOT NULL,
  claimed_at {{ts}},
  sent_at {{ts}},
  updated_at {{ts}} NOT NULL,
  PRIMARY KEY (campaign, touch, partner_id)
);
CREATE INDEX send_ledger_state ON send_ledger (campaign, touch, state);
CREATE INDEX send_ledger_partner ON send_ledger (campaign, partner_id);

-- Append-only engagement signals. Bots are labelled by verdict, never dropped.
-- This is the hot table (the collector's group commits), so it is lean on purpose: source and
-- verdict are validated by appendEvents instead of CHECK constraints (they halved SQLite's insert
-- rate), one index serves both per-campaign and per-partner reads, and event_key is indexed only
-- where set.
CREATE TABLE events (
  id {{id}},
  campaign TEXT NOT NULL,
  partner_id TEXT,
  touch TEXT,
  type TEXT NOT NULL,
  source TEXT NOT NULL,
  occurred_at {{ts}} NOT NULL,
  received_at {{ts}} NOT NULL,
  verdict TEXT NOT NULL,
  verdict_reason TEXT,
  user_agent TEXT,
  ip_hash TEXT,
  metadata {{json}} NOT NULL,
  event_key TEXT
);
CREATE INDEX events_campaign_partner_time ON events (campaign, partner_id, occurred_at);
CREATE UNIQUE INDEX events_event_key ON events (event_key) WHERE event_key IS NOT NULL;

-- Resend (svix) webhook deliveries already processed; svix-id repeats on retries.
CREATE TABLE webhook_receipts (
  svix_id TEXT PRIMARY KEY,
  received_at {{ts}} NOT NULL
);

-- What people told us: forms, webinar registrations and attendance, manual outcomes.
CREATE TABLE responses (
  id {{id}},
  idempotency_key TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('feedback', 'registration', 'attendance', 'not-now', 'decline',
    'call-request', 'replied', 'met', 'called', 'not-interested')),
  campaign TEXT,
  partner_id TEXT,
  touch TEXT,
  email TEXT,
  name TEXT,
  webinar TEXT,
  body TEXT,
  rating INTEGER,
  consent_to_quote {{bool}},
  until_at {{ts}},
  preferred_times {{json}},
  source TEXT NOT NULL,
  occurred_at {{ts}} NOT NULL,
  created_at {{ts}} NOT NULL,
  data {{json}} NOT NULL
);
CREATE INDEX responses_partner ON responses (campaign, partner_id, kind);
-- One registration (and one attendance) per person and webinar, whatever key the form sent.
CREATE UNIQUE INDEX responses_webinar_person ON responses (kind, webinar, email)
  WHERE kind IN ('registration', 'attendance');

-- Addresses we must never write to again. One row per address: the first reason wins.
CREATE TABLE suppressions (
  email TEXT PRIMARY KEY,
  reason TEXT NOT NULL CHECK (reason IN ('unsubscribed', 'hard-bounce', 'complaint', 'manual')),
  source TEXT NOT NULL,
  campaign TEXT,
  note TEXT,
  created_at {{ts}} NOT NULL
);
`,
  },
  {
    version: 2,
    name: 'send ledger: request key',
    sql: `
-- The key of the provider call that carried a row (a Resend batch key covers the whole call).
-- Set just before the call; a row left in 'sending' with a request key may have been accepted,
-- so the sender re-dispatches that whole call under the same key instead of sending it afresh.
ALTER TABLE send_ledger ADD COLUMN request_key TEXT;
CREATE INDEX send_ledger_request ON send_ledger (request_key);
`,
  },
];
