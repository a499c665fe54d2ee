import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/lib/store/index.ts';
import type { Store } from '../../src/lib/store/types.ts';
import type { WebinarInfo } from '../../src/lib/webinar/index.ts';
import { lifecycleOf } from '../../src/lib/webinar/lifecycle.ts';

export const fixture = (name: string) => join(import.meta.dirname, 'fixtures', name);

export async function tempStore(): Promise<{ store: Store; dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'aircover-webinar-'));
  return { store: await openStore({ dataDir }), dataDir };
}

export function sampleWebinar(overrides: Partial<WebinarInfo> = {}): WebinarInfo {
  const frontmatter = {
    start: overrides.start ?? new Date('2027-01-21T15:00:00Z'),
    timeZone: overrides.timeZone ?? 'Europe/Copenhagen',
    durationMinutes: overrides.durationMinutes ?? 45,
    registration: overrides.registration ?? ('open' as const),
  };
  return {
    frontmatter,
    lifecycle: lifecycleOf(frontmatter, [], new Date('2026-12-01T00:00:00Z')),
    slug: 'integrators-share-live',
    title: "The integrator's share, live",
    abstract: 'Maren Holt and Tomas Okafor walk through the case study of Baltic Systems Integration.',
    start: new Date('2027-01-21T15:00:00Z'),
    timeZone: 'Europe/Copenhagen',
    durationMinutes: 45,
    joinUrl: 'https://meet.example.com/kestrel/integrators-share-live',
    recordingUrl: null,
    pageUrl: 'http://localhost:4321/webinars/integrators-share-live/',
    sequence: 0,
    status: 'confirmed',
    registration: 'open',
    organizer: {
      name: 'Maren Holt',
      email: 'maren.holt@kestrel-sensing.example.com',
      replyTo: 'maren.holt@kestrel-sensing.example.com',
      company: 'Kestrel Sensing',
      postalAddress: 'Skibbroen 14, 8000 Aarhus C, Denmark',
    },
    campaign: 'sample',
    locale: 'en-GB',
    file: 'content/webinars/integrators-share-live.md',
    ...overrides,
  };
}
