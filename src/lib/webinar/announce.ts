/**
 * `registration.created` for the rest of the stack (src/lib/hooks/): sent once a registration
 * counts, the same moment the partner state starts counting it (state/status.ts
 * `countsAsRegistration`), so a CRM never hears "this partner registered" from someone who only
 * typed their address:
 *
 * - from the personal page's form: at once (the token proves who it is), `verified: true`,
 *   `via: "personal-link"`;
 * - from the public webinar page, a person who is not a partner: at once, `verified: null`
 *   (there is no one to verify against), `via: "public-page"`;
 * - from the public page with a partner's address: nothing yet (stored unverified, verify.ts);
 *   the event goes when the mailbox confirms (`via: "email-confirm"`) or the partner registers
 *   from their own link (`via: "personal-link"`), `verified: true`.
 *
 * Bots (a known bot agent) announce nothing. Never throws (emit logs its own problems).
 */
import { emit } from '../hooks/emit.ts';
import type { Store } from '../store/types.ts';

export interface RegistrationAnnouncement {
  webinar: string;
  email: string;
  name?: string | null;
  company?: string | null;
  campaign: string | null;
  partnerId: string | null;
  responseId: number;
  verified: boolean | null;
  via: 'personal-link' | 'public-page' | 'email-confirm';
  at: Date;
}

export async function announceRegistration(store: Store, r: RegistrationAnnouncement): Promise<void> {
  await emit(store, 'registration.created', {
    campaign: r.campaign,
    partnerId: r.partnerId,
    email: r.email,
    ...(r.name ? { name: r.name } : {}),
    ...(r.company ? { company: r.company } : {}),
    webinar: r.webinar,
    registrationId: r.responseId,
    verified: r.verified,
    via: r.via,
    at: r.at.toISOString(),
  });
}
