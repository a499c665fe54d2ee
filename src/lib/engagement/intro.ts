/**
 * `GET /api/intro?…`: a referrer opens the ready introduction of a referrer note (see
 * src/lib/referrer/intro.ts). The link is signed (src/lib/referrer/intro-link.ts); a link whose
 * signature fails answers 404 and records nothing. A good one records a `referrer.intro` event on
 * the REFERRED partner's timeline ("referrer X opened the introduction") with the collector's
 * usual verdict (mail-security agents, seconds after the note was sent, bursts, scanner networks:
 * src/lib/engagement/verdict.ts), then answers a tiny page that opens the `mailto:` at once.
 *
 * It is the referrer's act, not the partner's: the event type is in no engagement group
 * (src/lib/followup/signals.ts), so it never makes the partner engaged or hot.
 */
import { referrerKey } from '../email/send/referrer-notes.ts';
import { escapeHtml } from '../personalize/escape.ts';
import { verifyIntroLink } from '../referrer/intro-link.ts';
import { isStoreUnavailable } from '../store/errors.ts';
import { runtime } from './runtime.ts';
import { judgeHit } from './verdict.ts';

export const INTRO_EVENT = 'referrer.intro';

const headers = {
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-robots-tag': 'noindex, nofollow',
};

function page(status: number, body: string, extraHead = ''): Response {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">${extraHead}<title>Introduction</title></head><body style="font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;line-height:1.5">${body}</body></html>`;
  return new Response(html, { status, headers: { ...headers, 'content-type': 'text/html; charset=utf-8' } });
}

export async function openIntroduction(req: {
  url: URL;
  userAgent: string | null;
  ip: string | null;
  now?: Date;
}): Promise<Response> {
  const ref = verifyIntroLink(req.url.searchParams);
  if (!ref) return page(404, '<p>This link is not valid.</p>');
  const rt = runtime();
  const now = req.now ?? new Date();
  try {
    const store = await rt.store();
    const partner = await store.findPartner(ref.campaign, ref.partner);
    if (partner?.referrerEmail) {
      const fields = (partner.data.fields ?? {}) as Record<string, unknown>;
      const name = typeof fields.referrer_name === 'string' ? fields.referrer_name : partner.referrerEmail;
      // The note went to the referrer: its ledger row is keyed by their address.
      const note = await store.getSend(ref.campaign, ref.touch, referrerKey(partner.referrerEmail));
      const burst = rt.bursts.hit(
        `${ref.campaign}\u0000${referrerKey(partner.referrerEmail)}`,
        `intro:${ref.partner}`,
        now.getTime(),
      );
      const { verdict, reason } = judgeHit({
        userAgent: req.userAgent,
        ip: req.ip,
        at: now,
        sentAt: note?.sentAt ? new Date(note.sentAt) : null,
        burst,
      });
      await rt.batcher.add([
        {
          campaign: ref.campaign,
          partnerId: ref.partner,
          touch: ref.touch,
          type: INTRO_EVENT,
          source: 'page',
          occurredAt: now,
          verdict,
          verdictReason: reason,
          userAgent: req.userAgent?.slice(0, 400) ?? null,
          ipHash: rt.hashIp(req.ip),
          metadata: { referrer: name.slice(0, 200) },
        },
      ]);
    }
  } catch (error) {
    // The store being down must not stand between the referrer and their note: open it anyway
    // (isStoreUnavailable also matches the runtime's CollectorUnavailable, which bears its name).
    if (!isStoreUnavailable(error)) throw error;
  }
  const href = escapeHtml(ref.mailto);
  return page(
    200,
    `<p>Your introduction is opening in your mail program. If nothing happens, <a href="${href}">open it here</a>.</p>`,
    `<meta http-equiv="refresh" content="0;url=${href}">`,
  );
}
