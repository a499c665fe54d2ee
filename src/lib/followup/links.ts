/** Where a partner lives in the dashboard: hot notes, webhooks and the tables link here. */
export function partnerPath(campaign: string, partnerId: string): string {
  return `/admin/partners/${encodeURIComponent(campaign)}/${encodeURIComponent(partnerId)}`;
}
