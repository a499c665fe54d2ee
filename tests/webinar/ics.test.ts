import ical, { type VEvent } from 'node-ical';
import { afterAll, describe, expect, it } from 'vitest';
import {
  calendarLinks,
  currentWebinar,
  invitationIcs,
  invitationUid,
  recordScheduleChange,
} from '../../src/lib/webinar/index.ts';
import { sampleWebinar, tempStore } from './helpers.ts';

function onlyEvent(text: string): { event: VEvent; method: string | undefined } {
  const parsed = ical.sync.parseICS(text);
  const events = Object.values(parsed).filter((c): c is VEvent => c?.type === 'VEVENT');
  expect(events).toHaveLength(1);
  const calendar = Object.values(parsed).find((c) => c?.type === 'VCALENDAR') as
    | { method?: string }
    | undefined;
  return { event: events[0] as VEvent, method: calendar?.method ?? /^METHOD:(.*)$/m.exec(text)?.[1]?.trim() };
}

const registrant = { email: 'Ingrid.Bakke@nordlys-integrasjon.example.com ', name: 'Ingrid Bakke' };

describe('.ics invitations', () => {
  const stores: { close(): Promise<void> }[] = [];
  afterAll(async () => {
    for (const s of stores) await s.close();
  });

  it('is a METHOD:REQUEST that an independent parser reads back', () => {
    const text = invitationIcs(sampleWebinar(), registrant);
    expect(text).toMatch(/^METHOD:REQUEST\r?$/m);
    const { event, method } = onlyEvent(text);
    expect(method).toBe('REQUEST');
    expect(event.uid).toBe(
      invitationUid('integrators-share-live', 'ingrid.bakke@nordlys-integrasjon.example.com'),
    );
    expect(Number(event.sequence)).toBe(0);
    expect(new Date(event.start).toISOString()).toBe('2027-01-21T15:00:00.000Z');
    expect(new Date(event.end ?? 0).toISOString()).toBe('2027-01-21T15:45:00.000Z');
    expect(String(event.summary)).toBe("The integrator's share, live");
    expect(String(event.location)).toBe('https://meet.example.com/kestrel/integrators-share-live');
    expect(JSON.stringify(event.organizer)).toContain('maren.holt@kestrel-sensing.example.com');
    expect(text).toContain('X-WR-TIMEZONE:Europe/Copenhagen');
  });

  it('keeps the UID per webinar and person, and differs between people', () => {
    const a = invitationUid('w', 'Ann@Example.com ');
    expect(invitationUid('w', 'ann@example.com')).toBe(a);
    expect(invitationUid('w', 'bob@example.com')).not.toBe(a);
    expect(invitationUid('other', 'ann@example.com')).not.toBe(a);
  });

  it('an update keeps the UID and raises SEQUENCE; a cancel is METHOD:CANCEL', async () => {
    const { store } = await tempStore();
    stores.push(store);
    const base = sampleWebinar();
    const first = onlyEvent(invitationIcs(await currentWebinar(store, base), registrant)).event;

    const moved = await recordScheduleChange(store, base, {
      start: new Date('2027-01-28T14:00:00Z'),
      timeZone: 'Europe/Berlin',
    });
    expect(moved.sequence).toBe(1);
    const update = onlyEvent(invitationIcs(moved, registrant));
    expect(update.method).toBe('REQUEST');
    expect(update.event.uid).toBe(first.uid);
    expect(Number(update.event.sequence)).toBeGreaterThan(Number(first.sequence));
    expect(new Date(update.event.start).toISOString()).toBe('2027-01-28T14:00:00.000Z');
    // The store is the memory: a fresh read of the webinar sees the change.
    expect((await currentWebinar(store, base)).sequence).toBe(1);

    const cancelled = await recordScheduleChange(store, base, { status: 'cancelled' });
    const text = invitationIcs(cancelled, registrant);
    const cancel = onlyEvent(text);
    expect(cancel.method).toBe('CANCEL');
    expect(text).toMatch(/^METHOD:CANCEL\r?$/m);
    expect(cancel.event.uid).toBe(first.uid);
    expect(Number(cancel.event.sequence)).toBe(2);
    expect(String(cancel.event.status)).toBe('CANCELLED');
    // The cancelled webinar keeps the rescheduled time.
    expect(new Date(cancel.event.start).toISOString()).toBe('2027-01-28T14:00:00.000Z');
  });

  it('add-to-calendar links carry the event', () => {
    const links = calendarLinks(sampleWebinar());
    const google = new URL(links.google);
    expect(google.searchParams.get('dates')).toBe('20270121T150000Z/20270121T154500Z');
    expect(google.searchParams.get('ctz')).toBe('Europe/Copenhagen');
    const outlook = new URL(links.outlook);
    expect(outlook.searchParams.get('startdt')).toBe('2027-01-21T15:00:00.000Z');
    expect(outlook.searchParams.get('subject')).toBe("The integrator's share, live");
  });
});
