/**
 * Subject tests in the report: for every touch whose template lists `subjects:`, each variant's
 * partners who were sent it (the ledger, which records each row's variant when it is sent) and what they did afterwards, read from the one partner
 * state (src/lib/followup/state/): human visits to their page, paper readers (the paper's own
 * progress or reading time) and replies (an inbound reply or a marked replied/met/called). Opens
 * never count. Then whether the difference in paper readers means anything at this sample size:
 * Fisher's exact test (two-sided) between the best and the worst variant, with a plain sentence.
 */
import type { Campaign } from '../campaign/load.ts';
import { subjectVariantOf, variantLabel } from '../email/send/variant.ts';
import { fromCampaign } from '../followup/from-campaign.ts';
import { loadCampaignStates } from '../followup/state/index.ts';
import type { LedgerEntry, Store } from '../store/index.ts';

export interface VariantResult {
  variant: string;
  subject: string;
  sent: number;
  visited: number;
  readers: number;
  replied: number;
}

export interface SubjectTestReport {
  touch: string;
  variants: VariantResult[];
  /** Fisher's exact test on paper readers, best against worst variant; null with nothing sent. */
  pValue: number | null;
  verdict: string;
}

function logFactorial(n: number): number {
  let sum = 0;
  for (let i = 2; i <= n; i++) sum += Math.log(i);
  return sum;
}

/**
 * Two-sided Fisher's exact test for the table [[a, b], [c, d]]: the probability, with the margins
 * fixed, of a table at most as likely as this one.
 */
export function fisherExact(a: number, b: number, c: number, d: number): number {
  const row1 = a + b;
  const row2 = c + d;
  const col1 = a + c;
  const n = row1 + row2;
  const logP = (x: number) =>
    logFactorial(row1) +
    logFactorial(row2) +
    logFactorial(col1) +
    logFactorial(n - col1) -
    logFactorial(n) -
    logFactorial(x) -
    logFactorial(row1 - x) -
    logFactorial(col1 - x) -
    logFactorial(row2 - col1 + x);
  const observed = logP(a);
  let p = 0;
  for (let x = Math.max(0, col1 - row2); x <= Math.min(row1, col1); x++) {
    const lp = logP(x);
    // A small tolerance so tables exactly as likely as the observed one are counted.
    if (lp <= observed + 1e-7) p += Math.exp(lp);
  }
  return Math.min(1, p);
}

const percent = (n: number, of: number) => (of === 0 ? '0%' : `${Math.round((n / of) * 100)}%`);

/** The plain sentence under a subject test. */
export function verdictOf(variants: VariantResult[], pValue: number | null): string {
  if (pValue === null) return 'Nothing sent yet: no result.';
  const ranked = [...variants].sort((x, y) => y.readers / (y.sent || 1) - x.readers / (x.sent || 1));
  const best = ranked[0] as VariantResult;
  const worst = ranked[ranked.length - 1] as VariantResult;
  const rates = `${best.variant} ${percent(best.readers, best.sent)} of ${best.sent} read the paper, ${worst.variant} ${percent(worst.readers, worst.sent)} of ${worst.sent}`;
  const p = pValue < 0.001 ? 'p < 0.001' : `p = ${pValue.toFixed(3)}`;
  if (pValue < 0.05)
    return `${rates} (Fisher's exact test, ${p}): a difference this large is unlikely to be chance; ${best.variant} did better.`;
  return `${rates} (Fisher's exact test, ${p}): at this sample size the difference may well be chance; do not pick a winner on it.`;
}

/**
 * The variant a sent row got: the one the ledger recorded when it was sent (migration 9), so a
 * later edit of `subjects:` or of partners.csv (which reshuffles the split) cannot move a partner
 * to another group; rows sent before the ledger kept it fall back to the assignment recomputed
 * now. A recorded variant the template no longer lists gets its own group, named by the subject
 * the ledger kept.
 */
function variantOfRow(
  row: Pick<LedgerEntry, 'subjectVariant' | 'subject'>,
  variants: VariantResult[],
  recompute: () => number | null,
): VariantResult | undefined {
  if (row.subjectVariant) {
    let v = variants.find((x) => x.variant === row.subjectVariant);
    if (!v) {
      v = {
        variant: row.subjectVariant,
        subject: row.subject ?? '',
        sent: 0,
        visited: 0,
        readers: 0,
        replied: 0,
      };
      variants.push(v);
    }
    return v;
  }
  const index = recompute();
  return index === null ? undefined : variants[index];
}

export async function subjectTests(
  store: Store,
  campaign: Campaign,
  now: Date,
): Promise<SubjectTestReport[]> {
  const tested = campaign.touches.filter((t) => (t.email.subjects?.length ?? 0) >= 2);
  if (tested.length === 0) return [];
  const { states } = await loadCampaignStates(store, fromCampaign(campaign), { now });
  const reports: SubjectTestReport[] = [];
  for (const touch of tested) {
    const subjects = touch.email.subjects as string[];
    const variants: VariantResult[] = subjects.map((subject, i) => ({
      variant: variantLabel(i),
      subject,
      sent: 0,
      visited: 0,
      readers: 0,
      replied: 0,
    }));
    const sent = await store.listLedger({ campaign: campaign.id, touch: touch.id, state: 'sent' });
    for (const row of sent) {
      const v = variantOfRow(row, variants, () => subjectVariantOf(campaign, touch, row.partnerId));
      const state = states.get(row.partnerId);
      if (!v || !state) continue;
      v.sent++;
      if (state.reading.visits > 0) v.visited++;
      if (state.reading.paperProgress > 0 || state.reading.paperSeconds > 0) v.readers++;
      if (state.signals.repliedAt || state.signals.manual) v.replied++;
    }
    const total = variants.reduce((n, v) => n + v.sent, 0);
    let pValue: number | null = null;
    if (total > 0) {
      const rate = (v: VariantResult) => v.readers / (v.sent || 1);
      const ranked = [...variants].sort((x, y) => rate(y) - rate(x));
      const best = ranked[0] as VariantResult;
      const worst = ranked[ranked.length - 1] as VariantResult;
      pValue = fisherExact(best.readers, best.sent - best.readers, worst.readers, worst.sent - worst.readers);
    }
    reports.push({ touch: touch.id, variants, pValue, verdict: verdictOf(variants, pValue) });
  }
  return reports;
}
