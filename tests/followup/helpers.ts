/**
 * Crafted campaigns and timelines for the follow-up tests: a campaign relative to the real clock
 * (the ledger stamps real send times), a SQLite store per test file, and small seeding helpers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOutboxTransport } from '../../src/lib/email/transport/index.ts';
import type { FollowupCampaign, FollowupPartner } from '../../src/lib/followup/index.ts';
import { type EventInput, openStore, type Store, type Verdict } from '../../src/lib/store/index.ts';

export const DAY = 86_400_000;

export function partner(id: string, extra: Partial<FollowupPartner> = {}): FollowupPartner {
  return {
    id,
    email: `${id}@partners.example.com`,
    company: `${id} Ltd`,
    firstName: id.split('-')[0] ?? id,
    lastName: 'Tester',
    owner: 'maren',
    gatekeepers: [],
    ...extra,
  };
}

/** Touches: announce -20d, invite -18d, follow-up -15d, nudge -13d; webinar at +webinarDays. */
export function craftedCampaign(
  id: string,
  partners: FollowupPartner[],
  options: { now?: Date; webinarDays?: number } = {},
): FollowupCampaign {
  const now = (options.now ?? new Date()).getTime();
  const start = new Date(now + (options.webinarDays ?? 5) * DAY);
  const at = (days: number) => new Date(now + days * DAY);
  return {
    id,
    name: `Campaign ${id}`,
    timeZone: 'UTC',
    locale: 'en-GB',
    webinar: {
      id: `${id}-live`,
      title: 'The live session',
      start,
      end: new Date(start.getTime() + 3_600_000),
    },
    touches: [
      { id: 'announce', kind: 'announce', audience: 'all', at: at(-20), template: 'emails/announce.md' },
      {
        id: 'invite',
        kind: 'webinar-invite',
        audience: 'not-registered',
        at: at(-18),
        template: 'emails/invite.md',
      },
      {
        id: 'follow-up',
        kind: 'follow-up',
        audience: 'silent',
        at: at(-15),
        template: 'emails/follow-up.md',
      },
      { id: 'nudge', kind: 'referrer-nudge', audience: 'silent', at: at(-13), template: 'emails/nudge.md' },
      {
        id: 'reminder',
        kind: 'reminder',
        audience: 'registered',
        at: new Date(start.getTime() - DAY),
        template: 'emails/reminder.md',
      },
      {
        id: 'recording',
        kind: 'recording',
        audience: 'no-show',
        at: new Date(start.getTime() + DAY),
        template: 'emails/recording.md',
      },
    ].sort((a, b) => a.at.getTime() - b.at.getTime()) as FollowupCampaign['touches'],
    partners,
    paperTitle: "The integrator's share",
    posts: ['What integrators ask us first'],
    sender: { name: 'Maren Holt', email: 'maren@kestrel.example.com' },
  };
}

export async function tempStore(): Promise<{ store: Store; cleanup: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'aircover-followup-'));
  const store = await openStore({ url: `sqlite:${join(dir, 'db.sqlite')}` });
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A file outbox in a temporary folder, for the notes a test sends. */
export function tempOutbox(): {
  transport: ReturnType<typeof createOutboxTransport>;
  cleanup: () => Promise<void>;
} {
  const dir = mkdtempSync(join(tmpdir(), 'aircover-followup-outbox-'));
  return {
    transport: createOutboxTransport({ dir }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Records `touch` as sent to the partners (plan, claim, mark sent), as the sender would. */
export async function sent(store: Store, campaign: FollowupCampaign, touch: string, ids: string[]) {
  await store.planSends(
    ids.map((partnerId) => ({
      campaign: campaign.id,
      touch,
      partnerId,
      recipient: campaign.partners.find((p) => p.id === partnerId)?.email ?? `${partnerId}@x.example.com`,
      idempotencyKey: `${campaign.id}:${touch}:${partnerId}`,
    })),
  );
  const claimed = await store.claimSends(campaign.id, touch, 10_000);
  for (const row of claimed) await store.markSent(row.idempotencyKey, `msg-${row.idempotencyKey}`);
}

export function ev(
  campaign: string,
  partnerId: string,
  type: string,
  at: Date,
  verdict: Verdict = 'human',
  metadata: Record<string, unknown> = {},
): EventInput {
  return {
    campaign,
    partnerId,
    type,
    source: type.startsWith('email.') ? 'webhook' : 'page',
    occurredAt: at,
    verdict,
    verdictReason: verdict === 'human' ? null : 'scanner: seconds after delivery',
    metadata,
  };
}
