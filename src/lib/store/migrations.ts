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
  {
    version: 3,
    name: 'engagement summary maintained with the events',
    sql: { sqlite: engagementSummary('sqlite'), postgres: engagementSummary('postgres') },
  },
  {
    version: 4,
    name: 'reading means the paper: personal-page sections and time filed apart',
    sql: { sqlite: paperReading('sqlite'), postgres: paperReading('postgres') },
  },
  {
    version: 5,
    name: 'events by campaign and type',
    sql: `
-- The partner state reads two small slices of a campaign's events besides the summary: the
-- personal page's sections seen (counted per partner) and bounce/delay reports (by kind). Without
-- this index both scan every event of the campaign.
CREATE INDEX events_campaign_type ON events (campaign, type, partner_id);
`,
  },
  {
    version: 6,
    name: 'keyed rows with expiry: lockouts, signed-out sessions, hot-note memory, send locks',
    sql: `
-- Shared memory of several server instances on one database (src/lib/store/keyed.ts).
CREATE TABLE keyed_rows (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  expires_at {{ts}} NOT NULL
);
CREATE INDEX keyed_rows_expiry ON keyed_rows (expires_at);
`,
  },
  {
    version: 7,
    name: 'inbox: inbound messages, sent message ids, mailbox cursors',
    sql: `
-- Every message that came back (reply, auto-reply, bounce, complaint), kept whether or not it
-- matched a partner. message_id is the Message-ID without angle brackets (a hash of the raw
-- message when it had none): the one key, so IMAP and Resend delivering the same mail store it once.
CREATE TABLE inbound_messages (
  id {{id}},
  message_id TEXT NOT NULL UNIQUE,
  source TEXT NOT NULL,
  from_email TEXT,
  from_name TEXT,
  subject TEXT,
  class TEXT NOT NULL,
  evidence {{json}} NOT NULL,
  detail {{json}} NOT NULL,
  headers {{json}} NOT NULL,
  campaign TEXT,
  partner_id TEXT,
  match_kind TEXT,
  correction TEXT,
  corrected_at {{ts}},
  effects {{json}} NOT NULL,
  received_at {{ts}} NOT NULL,
  created_at {{ts}} NOT NULL
);
CREATE INDEX inbound_partner ON inbound_messages (campaign, partner_id);
CREATE INDEX inbound_received ON inbound_messages (received_at);

-- The Message-ID of every message aircover sent (touches, confirmations, notes, digests): what a
-- reply's In-Reply-To and References are matched against.
CREATE TABLE sent_messages (
  message_id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  campaign TEXT,
  partner_id TEXT,
  touch TEXT,
  recipient TEXT NOT NULL,
  sent_at {{ts}} NOT NULL
);
CREATE INDEX sent_messages_partner ON sent_messages (campaign, partner_id);

-- Where IMAP reading stopped, per mailbox: the UIDVALIDITY the UIDs belong to and the last UID seen.
CREATE TABLE inbox_cursors (
  mailbox TEXT PRIMARY KEY,
  uid_validity TEXT NOT NULL,
  last_uid BIGINT NOT NULL,
  updated_at {{ts}} NOT NULL
);
`,
  },
  {
    version: 8,
    name: 'dashboard actions as responses; outgoing webhook deliveries',
    sql: {
      sqlite: dashboardKinds('sqlite') + outgoingWebhooks(),
      postgres: dashboardKinds('postgres') + outgoingWebhooks(),
    },
  },
  {
    version: 9,
    name: 'send ledger: the subject variant and subject as sent',
    // Two nullable columns: ADD COLUMN works alike on both engines, so unlike migration 8's new
    // response kinds (a CHECK, which SQLite can only change by rebuilding the table) nothing is
    // rebuilt. Rows sent before stay NULL; the report recomputes their variant (report/subject-test.ts).
    sql: `
ALTER TABLE send_ledger ADD COLUMN subject_variant TEXT;
ALTER TABLE send_ledger ADD COLUMN subject TEXT;
`,
  },
  {
    version: 10,
    name: 'send ledger: the partners a referrer note covers',
    sql: `
-- A referrer nudge is one message per referrer per touch: its row's partner_id is the referrer's
-- key (referrer:<digest of the address>, never a partners.csv id) and covers lists the partner
-- ids the note speaks of, as JSON. NULL on every other row.
ALTER TABLE send_ledger ADD COLUMN covers TEXT;
`,
  },
  {
    version: 11,
    name: 'inbox: who corrected a message',
    sql: `
-- The name of whoever corrected a message's class (the dashboard's signed-in name, the CLI's
-- user), shown with the correction on the inbox page and the partner's timeline. NULL before.
ALTER TABLE inbound_messages ADD COLUMN corrected_by TEXT;
`,
  },
];

/**
 * Migration 8, part 2: outgoing webhooks (src/lib/hooks/). One delivery per (message, endpoint):
 * what to send and where it stands; one attempt row per try, the delivery log.
 */
function outgoingWebhooks(): string {
  return `
CREATE TABLE webhook_deliveries (
  id {{id}},
  message_id TEXT NOT NULL,
  endpoint TEXT NOT NULL,
  event_type TEXT NOT NULL,
  payload TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
  attempts INTEGER NOT NULL,
  next_attempt_at {{ts}},
  last_status INTEGER,
  last_error TEXT,
  created_at {{ts}} NOT NULL,
  updated_at {{ts}} NOT NULL,
  delivered_at {{ts}},
  UNIQUE (message_id, endpoint)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);
CREATE TABLE webhook_attempts (
  id {{id}},
  delivery_id BIGINT NOT NULL,
  attempt INTEGER NOT NULL,
  at {{ts}} NOT NULL,
  status INTEGER,
  error TEXT,
  ms INTEGER NOT NULL
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, attempt);
`;
}

/**
 * Migration 8: the dashboard's actions are responses like `aircover mark`'s, so the one partner
 * state reads them: `note` (changes nothing), `resume` (ends a running not-now pause) and
 * `handoff` (data.owner: the owner from then on). SQLite cannot alter a CHECK constraint, so the
 * table is rebuilt with the same columns, rows and ids; Postgres swaps the constraint.
 */
function dashboardKinds(engine: Engine): string {
  const kinds = `'feedback', 'registration', 'attendance', 'not-now', 'decline',
    'call-request', 'replied', 'met', 'called', 'not-interested', 'note', 'resume', 'handoff'`;
  if (engine === 'postgres')
    return `
ALTER TABLE responses DROP CONSTRAINT IF EXISTS responses_kind_check;
ALTER TABLE responses ADD CONSTRAINT responses_kind_check CHECK (kind IN (${kinds}));
`;
  return `
CREATE TABLE responses_v8 (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  idempotency_key TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN (${kinds})),
  campaign TEXT,
  partner_id TEXT,
  touch TEXT,
  email TEXT,
  name TEXT,
  webinar TEXT,
  body TEXT,
  rating INTEGER,
  consent_to_quote INTEGER,
  until_at TEXT,
  preferred_times TEXT,
  source TEXT NOT NULL,
  occurred_at TEXT NOT NULL,
  created_at TEXT NOT NULL,
  data TEXT NOT NULL
);
INSERT INTO responses_v8 SELECT id, idempotency_key, kind, campaign, partner_id, touch, email, name,
  webinar, body, rating, consent_to_quote, until_at, preferred_times, source, occurred_at, created_at, data
  FROM responses;
DROP TABLE responses;
ALTER TABLE responses_v8 RENAME TO responses;
CREATE INDEX responses_partner ON responses (campaign, partner_id, kind);
CREATE UNIQUE INDEX responses_webinar_person ON responses (kind, webinar, email)
  WHERE kind IN ('registration', 'attendance');
`;
}

/**
 * Migration 3: what the follow-up queue and the dashboard read instead of every event, kept by
 * `appendEvents` in the events' own transaction (see summary.ts for the maintenance and the event
 * vocabulary) and backfilled here from the events already stored.
 *
 * Like every migration this text is frozen once applied (it is built by a function only to write
 * the JSON number test once per dialect): a later change to the summary is a new migration with its
 * own backfill, never an edit here.
 */
function engagementSummary(engine: Engine): string {
  const num = (name: string) =>
    engine === 'postgres'
      ? `(CASE WHEN jsonb_typeof(metadata -> '${name}') = 'number' THEN (metadata ->> '${name}')::float8 END)`
      : `(CASE WHEN json_type(metadata, '$.${name}') IN ('integer', 'real') THEN json_extract(metadata, '$.${name}') END)`;
  const day =
    engine === 'postgres'
      ? "to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
      : 'substr(occurred_at, 1, 10)';
  return `
-- One row per (campaign, partner): counts, times and totals of that partner's events, so the queue
-- reads 10,000 rows instead of aggregating half a million events. partner_id '' holds the events
-- that name no partner. Only human events feed the engagement columns; bots and suspects are
-- counted (and stay in events, labelled), and delivery/open/bounce times take any verdict, as
-- mail events are the provider's word, not a person's.
CREATE TABLE engagement_summary (
  campaign TEXT NOT NULL,
  partner_id TEXT NOT NULL,
  human_events BIGINT NOT NULL DEFAULT 0,
  nonhuman_events BIGINT NOT NULL DEFAULT 0,
  nonhuman_mail_events BIGINT NOT NULL DEFAULT 0,
  delivered_at {{ts}},
  opened_at {{ts}},
  bounced_at {{ts}},
  replied_at {{ts}},
  visits BIGINT NOT NULL DEFAULT 0,
  visible_ms DOUBLE PRECISION NOT NULL DEFAULT 0,
  sections BIGINT NOT NULL DEFAULT 0,
  max_index DOUBLE PRECISION,
  max_of DOUBLE PRECISION,
  clicks BIGINT NOT NULL DEFAULT 0,
  downloads BIGINT NOT NULL DEFAULT 0,
  first_at {{ts}},
  last_at {{ts}},
  last_visit_at {{ts}},
  last_reading_at {{ts}},
  last_progress_at {{ts}},
  last_click_at {{ts}},
  last_download_at {{ts}},
  PRIMARY KEY (campaign, partner_id)
);

-- Human visits and visible time per campaign and UTC day (the dashboard's engagement chart).
CREATE TABLE engagement_daily (
  campaign TEXT NOT NULL,
  day TEXT NOT NULL,
  visits BIGINT NOT NULL DEFAULT 0,
  visible_ms DOUBLE PRECISION NOT NULL DEFAULT 0,
  PRIMARY KEY (campaign, day)
);

INSERT INTO engagement_summary (campaign, partner_id, human_events, nonhuman_events,
  nonhuman_mail_events, delivered_at, opened_at, bounced_at, replied_at, visits, visible_ms, sections,
  max_index, max_of, clicks, downloads, first_at, last_at, last_visit_at, last_reading_at,
  last_progress_at, last_click_at, last_download_at)
SELECT campaign, coalesce(partner_id, ''),
  sum(CASE WHEN verdict = 'human' THEN 1 ELSE 0 END),
  sum(CASE WHEN verdict <> 'human' THEN 1 ELSE 0 END),
  sum(CASE WHEN verdict <> 'human' AND type IN ('email.delivered', 'email.opened', 'email.bounced',
    'email.received') THEN 1 ELSE 0 END),
  min(CASE WHEN type = 'email.delivered' THEN occurred_at END),
  min(CASE WHEN type = 'email.opened' THEN occurred_at END),
  min(CASE WHEN type = 'email.bounced' THEN occurred_at END),
  min(CASE WHEN type = 'email.received' AND verdict = 'human' THEN occurred_at END),
  sum(CASE WHEN h AND type = 'page_view' THEN 1 ELSE 0 END),
  coalesce(sum(CASE WHEN h AND type = 'visible_time' THEN ms END), 0),
  sum(CASE WHEN h AND type = 'read_progress' THEN 1 ELSE 0 END),
  max(CASE WHEN h AND type = 'read_progress' THEN idx END),
  max(CASE WHEN h AND type = 'read_progress' THEN total END),
  sum(CASE WHEN h AND type = 'cta_click' THEN 1 ELSE 0 END),
  sum(CASE WHEN h AND type = 'download' THEN 1 ELSE 0 END),
  min(CASE WHEN h AND type IN ('page_view', 'visible_time', 'read_progress', 'cta_click', 'download')
    THEN occurred_at END),
  max(CASE WHEN h AND type IN ('page_view', 'visible_time', 'read_progress', 'cta_click', 'download')
    THEN occurred_at END),
  max(CASE WHEN h AND type = 'page_view' THEN occurred_at END),
  max(CASE WHEN h AND type = 'visible_time' THEN occurred_at END),
  max(CASE WHEN h AND type = 'read_progress' THEN occurred_at END),
  max(CASE WHEN h AND type = 'cta_click' THEN occurred_at END),
  max(CASE WHEN h AND type = 'download' THEN occurred_at END)
FROM (SELECT campaign, partner_id, type, verdict, occurred_at, verdict = 'human' AS h,
        ${num('ms')} AS ms, ${num('index')} AS idx, ${num('of')} AS total
      FROM events) AS e
GROUP BY campaign, coalesce(partner_id, '');

INSERT INTO engagement_daily (campaign, day, visits, visible_ms)
SELECT campaign, ${day},
  sum(CASE WHEN type = 'page_view' THEN 1 ELSE 0 END),
  coalesce(sum(CASE WHEN type = 'visible_time' THEN ${num('ms')} END), 0)
FROM events
WHERE verdict = 'human' AND type IN ('page_view', 'visible_time')
GROUP BY campaign, ${day};
`;
}

/**
 * Migration 4: reading means the paper. The personal page's own section and time beacons used to
 * be stored as `read_progress` / `visible_time` and fed the paper's progress; the collector now
 * files them as `section_seen` / `page_time` (src/lib/engagement/beacon.ts). This refiles the
 * events already stored the same way and rebuilds the summary from them (the same backfill as
 * migration 3, frozen here as its own text).
 */
function paperReading(engine: Engine): string {
  const num = (name: string) =>
    engine === 'postgres'
      ? `(CASE WHEN jsonb_typeof(metadata -> '${name}') = 'number' THEN (metadata ->> '${name}')::float8 END)`
      : `(CASE WHEN json_type(metadata, '$.${name}') IN ('integer', 'real') THEN json_extract(metadata, '$.${name}') END)`;
  const day =
    engine === 'postgres'
      ? "to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
      : 'substr(occurred_at, 1, 10)';
  const page = engine === 'postgres' ? "metadata ->> 'page'" : "json_extract(metadata, '$.page')";
  return `
UPDATE events SET type = 'section_seen' WHERE type = 'read_progress' AND ${page} = 'partner';
UPDATE events SET type = 'page_time' WHERE type = 'visible_time' AND ${page} = 'partner';
DELETE FROM engagement_summary;
DELETE FROM engagement_daily;

INSERT INTO engagement_summary (campaign, partner_id, human_events, nonhuman_events,
  nonhuman_mail_events, delivered_at, opened_at, bounced_at, replied_at, visits, visible_ms, sections,
  max_index, max_of, clicks, downloads, first_at, last_at, last_visit_at, last_reading_at,
  last_progress_at, last_click_at, last_download_at)
SELECT campaign, coalesce(partner_id, ''),
  sum(CASE WHEN verdict = 'human' THEN 1 ELSE 0 END),
  sum(CASE WHEN verdict <> 'human' THEN 1 ELSE 0 END),
  sum(CASE WHEN verdict <> 'human' AND type IN ('email.delivered', 'email.opened', 'email.bounced',
    'email.received') THEN 1 ELSE 0 END),
  min(CASE WHEN type = 'email.delivered' THEN occurred_at END),
  min(CASE WHEN type = 'email.opened' THEN occurred_at END),
  min(CASE WHEN type = 'email.bounced' THEN occurred_at END),
  min(CASE WHEN type = 'email.received' AND verdict = 'human' THEN occurred_at END),
  sum(CASE WHEN h AND type = 'page_view' THEN 1 ELSE 0 END),
  coalesce(sum(CASE WHEN h AND type = 'visible_time' THEN ms END), 0),
  sum(CASE WHEN h AND type = 'read_progress' THEN 1 ELSE 0 END),
  max(CASE WHEN h AND type = 'read_progress' THEN idx END),
  max(CASE WHEN h AND type = 'read_progress' THEN total END),
  sum(CASE WHEN h AND type = 'cta_click' THEN 1 ELSE 0 END),
  sum(CASE WHEN h AND type = 'download' THEN 1 ELSE 0 END),
  min(CASE WHEN h AND type IN ('page_view', 'visible_time', 'read_progress', 'cta_click', 'download')
    THEN occurred_at END),
  max(CASE WHEN h AND type IN ('page_view', 'visible_time', 'read_progress', 'cta_click', 'download')
    THEN occurred_at END),
  max(CASE WHEN h AND type = 'page_view' THEN occurred_at END),
  max(CASE WHEN h AND type = 'visible_time' THEN occurred_at END),
  max(CASE WHEN h AND type = 'read_progress' THEN occurred_at END),
  max(CASE WHEN h AND type = 'cta_click' THEN occurred_at END),
  max(CASE WHEN h AND type = 'download' THEN occurred_at END)
FROM (SELECT campaign, partner_id, type, verdict, occurred_at, verdict = 'human' AS h,
        ${num('ms')} AS ms, ${num('index')} AS idx, ${num('of')} AS total
      FROM events) AS e
GROUP BY campaign, coalesce(partner_id, '');

INSERT INTO engagement_daily (campaign, day, visits, visible_ms)
SELECT campaign, ${day},
  sum(CASE WHEN type = 'page_view' THEN 1 ELSE 0 END),
  coalesce(sum(CASE WHEN type = 'visible_time' THEN ${num('ms')} END), 0)
FROM events
WHERE verdict = 'human' AND type IN ('page_view', 'visible_time')
GROUP BY campaign, ${day};
`;
}
