/**
 * The answers the on-demand endpoints give (an `Answer`, turned into a Response by
 * `toResponse`): JSON and the no-JS form's 303 back to the page, both uncached,
 * and whether a request asked for JSON rather than a page; and the event a submitted form
 * leaves on the partner's timeline.
 */
import type { EventInput } from '../store/types.ts';

/** What an on-demand endpoint answers, before it becomes a web Response. */
export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** An Answer as a web Response (for the Astro routes). */
export function toResponse(answer: Answer): Response {
  return new Response(answer.body ?? null, { status: answer.status, headers: answer.headers ?? {} });
}

export function jsonAnswer(status: number, value: unknown, headers: Record<string, string> = {}): Answer {
  return {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(value),
  };
}

/** 303 See Other: a form posted without JavaScript goes back to a page. */
export function seeOther(location: string): Answer {
  return { status: 303, headers: { location, 'cache-control': 'no-store' } };
}

/** A form posted by script (`Accept: application/json`) gets JSON; a plain form post, a redirect. */
export function wantsJson(request: Request): boolean {
  return (request.headers.get('accept') ?? '').includes('application/json');
}

/**
 * The timeline event of a submitted form. A person filling in a form is human evidence, unless
 * the user agent names a bot (`agent`, from `botAgentReason`): then it is kept, labelled `bot`.
 */
export function formEvent(fields: {
  campaign: string;
  partnerId: string;
  touch?: string | null;
  kind: string;
  at: Date;
  agent: string | null;
  userAgent: string | null | undefined;
  ipHash: string | null;
  metadata: Record<string, unknown>;
  eventKey: string;
}): EventInput {
  return {
    campaign: fields.campaign,
    partnerId: fields.partnerId,
    touch: fields.touch ?? null,
    type: `form.${fields.kind}`,
    source: 'form',
    occurredAt: fields.at,
    verdict: fields.agent ? 'bot' : 'human',
    verdictReason: fields.agent ?? 'form submitted',
    userAgent: fields.userAgent?.slice(0, 400) ?? null,
    ipHash: fields.ipHash,
    metadata: fields.metadata,
    eventKey: fields.eventKey,
  };
}
