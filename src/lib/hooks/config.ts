/**
 * Where outgoing webhooks go: AIRCOVER_WEBHOOKS, a JSON list of endpoints, and each campaign's
 * `webhooks:` in campaign.yaml (campaignWebhookSchema below; hooks/campaigns.ts reads them). Both
 * apply: an event of a campaign goes to the environment's endpoints and to that campaign's.
 *
 *   AIRCOVER_WEBHOOKS='[
 *     {"name": "crm", "url": "https://crm.example.com/hooks/aircover", "secret": "whsec_…"},
 *     {"name": "sales-channel", "url": "https://hooks.slack.com/services/…", "format": "slack"}
 *   ]'
 *
 * - `format`: `standard` (default) sends the Standard Webhooks envelope signed with `secret`
 *   (`whsec_` + base64, as the standardwebhooks package makes); `slack` sends an incoming-webhook
 *   message and needs no secret (Slack's URL is the secret).
 * - `events`: which to send; default every event for `standard`, `partner.hot` and
 *   `partner.replied` for `slack`.
 * - `name`: what the delivery log shows (URLs may carry tokens, so the log never stores them).
 * A wrong entry is an error naming the entry and field, never a webhook silently skipped.
 */
import { z } from 'astro/zod';
import { Webhook } from 'standardwebhooks';

export const hookEvents = [
  'partner.hot',
  'partner.replied',
  'partner.declined',
  'feedback.received',
  'registration.created',
] as const;
export type HookEvent = (typeof hookEvents)[number];

/** What a Slack channel hears of by default: the moments to act on. */
export const slackDefaultEvents: HookEvent[] = ['partner.hot', 'partner.replied'];

const endpointSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[\w.-]{1,60}$/, 'letters, digits, ".", "_" or "-" (at most 60)')
      .optional(),
    url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
    format: z.enum(['standard', 'slack']).default('standard'),
    secret: z.string().optional(),
    events: z.array(z.enum(hookEvents)).min(1).optional(),
  })
  .superRefine((e, ctx) => {
    if (e.format === 'standard') {
      if (!e.secret) {
        ctx.addIssue({
          code: 'custom',
          path: ['secret'],
          message: 'a standard webhook needs a secret (whsec_…)',
        });
        return;
      }
      try {
        new Webhook(e.secret);
      } catch (error) {
        ctx.addIssue({
          code: 'custom',
          path: ['secret'],
          message: `not a usable secret (${error instanceof Error ? error.message : String(error)})`,
        });
      }
    }
  });

export interface Endpoint {
  name: string;
  url: string;
  format: 'standard' | 'slack';
  secret: string | null;
  events: HookEvent[];
  /** From a campaign.yaml: the variable the secret is read from, named when it is missing. */
  secretEnv?: string;
}

const envName = /^[A-Z_][A-Z0-9_]{0,127}$/;

/**
 * One entry of campaign.yaml `webhooks:` (validated with the rest of the campaign, so a wrong
 * entry is a problem naming campaign.yaml, its line and the field). The secret never sits in the
 * yaml, which is committed: `secretEnv` names the environment variable that holds it.
 */
export const campaignWebhookSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[\w.-]{1,60}$/, 'letters, digits, ".", "_" or "-" (at most 60)')
      .optional()
      .describe('What the delivery log shows (the URL is never logged); default webhook-1, webhook-2, ….'),
    url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).describe('Where to POST.'),
    format: z
      .enum(['standard', 'slack'])
      .default('standard')
      .describe('`standard`: signed per Standard Webhooks; `slack`: an incoming-webhook message.'),
    secretEnv: z
      .string()
      .regex(envName, 'the NAME of an environment variable (A-Z, 0-9, _), not the secret')
      .optional()
      .describe('The environment variable holding the whsec_… secret (standard format).'),
    secret: z
      .never({ error: 'never put a secret in campaign.yaml: name its environment variable in secretEnv' })
      .optional(),
    events: z
      .array(z.enum(hookEvents))
      .min(1)
      .optional()
      .describe('Which events; default all (Slack: hot and replied).'),
  })
  .superRefine((e, ctx) => {
    if (e.format === 'standard' && !e.secretEnv)
      ctx.addIssue({
        code: 'custom',
        path: ['secretEnv'],
        message: 'a standard webhook needs secretEnv, the environment variable holding its secret',
      });
  });

export const campaignWebhooksSchema = z
  .array(campaignWebhookSchema)
  .default([])
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((e, i) => {
      const name = e.name ?? `webhook-${i + 1}`;
      if (seen.has(name))
        ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `"${name}" is used twice` });
      seen.add(name);
    });
  })
  .describe("Outgoing webhooks for this campaign's events, beside AIRCOVER_WEBHOOKS.");
export type CampaignWebhookDef = z.infer<typeof campaignWebhookSchema>;

/**
 * A campaign's endpoints, named `<campaign>/<name>` in the delivery log (so they never collide
 * with AIRCOVER_WEBHOOKS's). The secret is read from the environment now; a missing or unusable
 * one does not drop the endpoint: its deliveries fail with the reason, shown on the dashboard.
 */
export function campaignEndpointsOf(
  campaign: string,
  defs: CampaignWebhookDef[],
  env: NodeJS.ProcessEnv = process.env,
): Endpoint[] {
  return defs.map((e, index) => ({
    name: `${campaign}/${e.name ?? `webhook-${index + 1}`}`,
    url: e.url,
    format: e.format,
    secret: e.secretEnv ? env[e.secretEnv]?.trim() || null : null,
    events: e.events ?? (e.format === 'slack' ? slackDefaultEvents : [...hookEvents]),
    ...(e.secretEnv ? { secretEnv: e.secretEnv } : {}),
  }));
}

export class HookConfigError extends Error {
  override name = 'HookConfigError';
}

/** The endpoints from AIRCOVER_WEBHOOKS; [] when unset. Throws naming the entry and field. */
export function endpointsFromEnv(env: NodeJS.ProcessEnv = process.env): Endpoint[] {
  const raw = env.AIRCOVER_WEBHOOKS?.trim();
  if (!raw) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new HookConfigError(
      `AIRCOVER_WEBHOOKS: not JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  const result = z.array(endpointSchema).safeParse(parsed);
  if (!result.success) {
    const issues = result.error.issues
      .map((i) => `${i.path.length ? `[${i.path.join('].')}` : 'the list'}: ${i.message}`)
      .join('; ');
    throw new HookConfigError(`AIRCOVER_WEBHOOKS ${issues}`);
  }
  const names = new Set<string>();
  return result.data.map((e, index) => {
    const name = e.name ?? `${e.format === 'slack' ? 'slack' : 'webhook'}-${index + 1}`;
    if (names.has(name))
      throw new HookConfigError(`AIRCOVER_WEBHOOKS [${index}].name: "${name}" is used twice`);
    names.add(name);
    return {
      name,
      url: e.url,
      format: e.format,
      secret: e.secret ?? null,
      events: e.events ?? (e.format === 'slack' ? slackDefaultEvents : [...hookEvents]),
    };
  });
}

let cached: { raw: string | undefined; endpoints: Endpoint[] } | undefined;

/** The configured endpoints, parsed once per value of the variable. */
export function endpoints(env: NodeJS.ProcessEnv = process.env): Endpoint[] {
  if (!cached || cached.raw !== env.AIRCOVER_WEBHOOKS)
    cached = { raw: env.AIRCOVER_WEBHOOKS, endpoints: endpointsFromEnv(env) };
  return cached.endpoints;
}

/** Retry delays after each failed attempt; AIRCOVER_WEBHOOK_RETRY_MS="30000,120000,…" overrides. */
export function retryDelays(env: NodeJS.ProcessEnv = process.env): number[] {
  const set = env.AIRCOVER_WEBHOOK_RETRY_MS?.trim();
  if (!set) return [30_000, 120_000, 600_000, 3_600_000, 6 * 3_600_000, 24 * 3_600_000];
  const delays = set.split(',').map((s) => Number(s.trim()));
  if (delays.some((d) => !Number.isFinite(d) || d < 0))
    throw new HookConfigError(`AIRCOVER_WEBHOOK_RETRY_MS: "${set}" is not a list of milliseconds`);
  return delays;
}
