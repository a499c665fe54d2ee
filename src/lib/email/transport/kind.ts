/**
 * Which transport the environment chooses, without loading one: Resend when RESEND_API_KEY is
 * set (and AIRCOVER_TRANSPORT is not `outbox`), else the file outbox. createTransport (index.ts)
 * decides by this; a dry run names it without loading the Resend SDK or the mail composer.
 */
export interface TransportChoiceEnv {
  RESEND_API_KEY?: string | undefined;
  AIRCOVER_TRANSPORT?: string | undefined;
}

export function transportKindOf(env: TransportChoiceEnv): 'resend' | 'outbox' {
  const key = env.RESEND_API_KEY?.trim();
  return key && env.AIRCOVER_TRANSPORT !== 'outbox' ? 'resend' : 'outbox';
}
