/**
 * A webinar's confirmation and its .ics text are written in the running campaign's locale
 * (WebinarInfo.locale, from its campaign.yaml), the registrant's zone first, the event's zone
 * named; the calendar's own times stay UTC instants.
 */
import ical, { type VEvent } from 'node-ical';
import { describe, expect, it } from 'vitest';
import { invitationIcs } from '../../src/lib/webinar/ics.ts';
import { invitationMessage, loadWebinar } from '../../src/lib/webinar/index.ts';
import { sampleWebinar } from './helpers.ts';

const cases = [
  {
    locale: 'en-US',
    // 2027-01-21T15:00Z in New York, then in Copenhagen.
    partner: 'Thursday, January 21, 2027, 10:00 AM EST (America/New_York)',
    event: 'Thursday, January 21, 2027, 4:00 PM GMT+1 (Europe/Copenhagen)',
  },
  {
    locale: 'de-DE',
    partner: 'Donnerstag, 21. Januar 2027, 10:00 GMT-5 (America/New_York)',
    event: 'Donnerstag, 21. Januar 2027, 16:00 MEZ (Europe/Copenhagen)',
  },
] as const;

describe.each(cases)('in $locale', ({ locale, partner, event }) => {
  const webinar = sampleWebinar({ locale });

  it('the confirmation says when in the registrant’s zone and the event’s, each named', async () => {
    const message = await invitationMessage(
      webinar,
      { email: 'reader@example.com', name: 'Ada Reader', timeZone: 'America/New_York' },
      'confirmation',
      new Date('2026-12-01T10:00:00Z'),
    );
    expect(message.text).toContain(`When: ${partner}; ${event}, 45 minutes.`);
    expect(message.html).toContain(`${partner}; ${event}`);
    expect(message.html).toContain(`lang="${locale.split('-')[0]}"`);
  });

  it('the .ics DESCRIPTION writes the start in the event’s zone, named; DTSTART stays the instant', () => {
    const ics = invitationIcs(
      webinar,
      { email: 'reader@example.com' },
      'REQUEST',
      new Date('2026-12-01T10:00:00Z'),
    );
    const vevent = Object.values(ical.sync.parseICS(ics)).find((c) => c?.type === 'VEVENT') as VEvent;
    expect(String(vevent.description)).toContain(`${event}, 45 minutes.`);
    expect(vevent.start.toISOString()).toBe('2027-01-21T15:00:00.000Z');
  });
});

it('a webinar takes its locale from the campaign that runs it', () => {
  expect(loadWebinar('integrators-share-live').locale).toBe('en-GB'); // campaigns/sample: locale: en-GB
});
