/** What a touch is for and who receives it: campaign.yaml's vocabularies (validated in schema.ts). */

export const touchKinds = [
  'advance-notice',
  'announce',
  'webinar-invite',
  'reminder',
  'follow-up',
  'referrer-nudge',
  'recording',
] as const;
export type TouchKind = (typeof touchKinds)[number];

export const audiences = [
  'all',
  'not-registered',
  'registered',
  'attended',
  'no-show',
  'engaged',
  'silent',
] as const;
export type Audience = (typeof audiences)[number];

/** The landing copy fields of campaign.yaml, in page order. */
export const landingFields = [
  'headline',
  'intro',
  'paperPitch',
  'feedbackPrompt',
  'callPitch',
  'webinarPitch',
  'signoff',
] as const;
export type LandingField = (typeof landingFields)[number];
