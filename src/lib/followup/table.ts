/**
 * The campaign table's order and filters, from the URL's query (server-side, so it works without
 * script): `status`, `owner`, `tag`, `company` (a substring), `sort` (a column) and `dir`.
 * By default what matters comes first: partners who wrote back and wait for our answer (the
 * `reply` action), then hot partners and partners in conversation, then by score (highest
 * first), then by due date (soonest first).
 */
import type { FollowUp, FollowupPartner } from './model.ts';

export const tableColumns = ['partner', 'owner', 'status', 'score', 'activity', 'action', 'due'] as const;
export type TableColumn = (typeof tableColumns)[number];

export interface TableQuery {
  status: string;
  owner: string;
  tag: string;
  company: string;
  sort: TableColumn | null;
  dir: 'asc' | 'desc';
}

export function tableQuery(params: URLSearchParams): TableQuery {
  const get = (k: string) => (params.get(k) ?? '').trim().slice(0, 120);
  const sort = tableColumns.find((c) => c === get('sort')) ?? null;
  return {
    status: get('status'),
    owner: get('owner'),
    tag: get('tag'),
    company: get('company'),
    sort,
    dir: get('dir') === 'desc' ? 'desc' : 'asc',
  };
}

const first = (r: FollowUp) =>
  r.action === 'reply' ? 0 : r.hot || r.status === 'in-conversation' || r.status === 'referred' ? 1 : 2;

function key(r: FollowUp, column: TableColumn): string | number {
  switch (column) {
    case 'partner':
      return r.company.toLowerCase();
    case 'owner':
      return (r.owner ?? '').toLowerCase();
    case 'status':
      return r.statusLabel;
    case 'score':
      return r.score;
    case 'activity':
      return r.lastHumanActivity ?? '';
    case 'action':
      return r.actionLabel;
    case 'due':
      return r.due ?? '9999';
  }
}

const cmp = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);

/** The rows the query keeps, in its order. */
export function applyTable(rows: FollowUp[], partners: FollowupPartner[], q: TableQuery): FollowUp[] {
  const tags = new Map(partners.map((p) => [p.id, p.tags ?? []]));
  const company = q.company.toLowerCase();
  const kept = rows.filter(
    (r) =>
      (!q.status || r.status === q.status) &&
      (!q.owner || (r.owner ?? '').toLowerCase() === q.owner.toLowerCase()) &&
      (!q.tag || (tags.get(r.partnerId) ?? []).includes(q.tag)) &&
      (!company || r.company.toLowerCase().includes(company)),
  );
  const column = q.sort;
  if (column) {
    const sign = q.dir === 'desc' ? -1 : 1;
    return kept.sort((a, b) => sign * cmp(key(a, column), key(b, column)));
  }
  return kept.sort(
    (a, b) => first(a) - first(b) || b.score - a.score || cmp(a.due ?? '9999', b.due ?? '9999'),
  );
}

/** Owners and tags present, for the filter menus. */
export function tableChoices(rows: FollowUp[], partners: FollowupPartner[]) {
  const owners = [...new Set(rows.map((r) => r.owner).filter((o): o is string => Boolean(o)))].sort();
  const tags = [...new Set(partners.flatMap((p) => p.tags ?? []))].sort();
  return { owners, tags };
}
