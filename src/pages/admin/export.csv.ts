import type { APIRoute } from 'astro';
import { adminSession, dashboardData, loginPath } from '../../lib/followup/admin.ts';
import { buildQueue, campaignZones, queueCsv } from '../../lib/followup/index.ts';

export const prerender = false;

export const GET: APIRoute = async ({ cookies, url, redirect }) => {
  if (!(await adminSession(cookies))) return redirect(loginPath(url));
  const { store, campaigns } = await dashboardData();
  const only = url.searchParams.get('campaign');
  const queue = await buildQueue(store, only ? campaigns.filter((c) => c.id === only) : campaigns);
  return new Response(queueCsv(queue, campaignZones(campaigns)), {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="followups-${new Date().toISOString().slice(0, 10)}.csv"`,
      'cache-control': 'no-store',
    },
  });
};
