/**
 * Follow-up: who engaged, who is due, what to send next. Plain TypeScript shared by the CLI
 * (followups, report, mark, digest) and the /admin dashboard.
 */

export { nextTouch } from './actions.ts';
export { fromCampaign, loadFollowupCampaigns } from './campaign.ts';
export { campaignZones, csvColumns, queueCsv } from './csv.ts';
export { addBusinessDays } from './dates.ts';
export { loadCampaignFacts } from './facts.ts';
export { MarkError, type MarkOutcome, markOutcome, markOutcomes } from './mark.ts';
export * from './model.ts';
export {
  buildDigest,
  digestMessage,
  hotNoteMessage,
  notifyOwnerOfHotPartner,
  ownerAddress,
  sendDigest,
} from './notify.ts';
export {
  buildQueue,
  type CampaignPage,
  type CampaignReport,
  campaignPage,
  funnelStages,
  loadPartnerStates,
} from './queue.ts';
export { evaluate, isDueToday, linkCampaigns, rowOf, sortQueue } from './rules.ts';
export { defaultScoring, type ScoringConfig, scoreFacts, scoringConfig } from './scoring.ts';
export {
  createEngagementModel,
  defaultThresholds,
  engagement,
  type HumanEngagementModel,
} from './signals.ts';
export {
  type AudienceFlags,
  audienceMembership,
  type CampaignStates,
  type Evidence,
  loadCampaignStates,
  memberOf,
  noStatuses,
  type PartnerState,
  partnerState,
  type Reading,
  readingOf,
  SOFT_BOUNCE_LIMIT,
} from './state/index.ts';
export { partnerTimeline, type TimelineEntry } from './timeline.ts';
