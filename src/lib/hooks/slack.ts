/**
 * The Slack incoming-webhook message for an event: one line that says who and why, with a link
 * to the partner's dashboard page. Partner data is escaped for Slack's mrkdwn (&, <, >), so a
 * company called "<!channel>" cannot ping anyone.
 */
import type { HookPayload } from './payload.ts';

const mrkdwn = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const headline: Record<string, string> = {
  'partner.hot': ':fire: Hot',
  'partner.replied': ':speech_balloon: Replied',
  'partner.declined': 'Declined',
  'feedback.received': ':memo: Feedback',
  'registration.created': ':calendar: Registered',
};

export function slackMessage(payload: HookPayload): { text: string } {
  const d = payload.data;
  const who = [d.name, d.company].filter(Boolean).join(', ') || d.email || d.partnerId || 'someone';
  const parts = [
    `*${headline[payload.type] ?? mrkdwn(payload.type)}*: ${mrkdwn(String(who))}`,
    d.campaign ? ` (${mrkdwn(String(d.campaign))})` : '',
    d.reason ? ` — ${mrkdwn(String(d.reason))}` : '',
    d.owner ? ` · owner ${mrkdwn(String(d.owner))}` : '',
    d.dashboardUrl ? ` · <${String(d.dashboardUrl).replace(/[<>|]/g, '')}|open in the dashboard>` : '',
  ];
  return { text: parts.join('') };
}
