/**
 * What a webhook carries: the Standard Webhooks envelope and its data. Its own file, since the
 * emitter, the deliverer and the Slack format all read it and none of them owns it.
 */
import type { HookEvent } from './config.ts';

/** What an event carries; the partner's fields are filled in from the store. */
export interface HookData {
  campaign?: string | null;
  partnerId?: string | null;
  email?: string | null;
  name?: string | null;
  company?: string | null;
  owner?: string | null;
  reason?: string | null;
  dashboardUrl?: string | null;
  [key: string]: unknown;
}

/** The Standard Webhooks envelope: type, timestamp, data. */
export interface HookPayload {
  type: HookEvent;
  timestamp: string;
  data: HookData;
}
