/**
 * Sending a campaign: plan each touch into the ledger (plan.ts), then hand the planned rows to a
 * transport and record every result (run.ts). The CLI (`aircover send`) is a thin shell over this.
 */
export { formatAddress } from '../address.ts';
export { idempotencyKeyFor, toOutgoing } from './message.ts';
export {
  dueTouches,
  emptyCounts,
  loadPlanState,
  type PlanContext,
  type PlanState,
  planTouch,
  type TouchPlan,
} from './plan.ts';
export { type PlanCategory, type PlanRow, planCategories } from './plan-rows.ts';
export {
  REPLAY_WINDOW_MS,
  type SendContext,
  type SendProgress,
  type SendSummary,
  sendTest,
  sendTouch,
} from './run.ts';
export { loadPartnerStates, loadSuppressed, type PartnerStates, recipientOf } from './state.ts';
