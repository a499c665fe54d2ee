/**
 * The scripted partners of the scenario suite and what each must end up as. One row per partner:
 * the expected status, hot or not, the queue's action, and membership of the audiences the
 * campaign's touches use. The suite reads these back from every view.
 */
export interface Expected {
  status: string;
  hot: boolean;
  action: string;
  /** Audiences the partner must be in (true) or out of (false). */
  audiences: Record<string, boolean>;
  /** A hot note to the owner (only the paper reader). */
  note: boolean;
}

const silent = { silent: true, engaged: false, registered: false };

export const scenario: Record<string, Expected> = {
  reader: {
    status: 'engaged-hot',
    hot: true,
    action: 'personal-follow-up',
    audiences: { engaged: true, silent: false },
    note: true,
  },
  skimmer: { status: 'visited', hot: false, action: 'next-touch', audiences: silent, note: false },
  scanner: { status: 'no-response', hot: false, action: 'next-touch', audiences: silent, note: false },
  decliner: { status: 'declined', hot: false, action: 'thank-and-stop', audiences: {}, note: false },
  pauser: { status: 'not-now', hot: false, action: 'wait', audiences: {}, note: false },
  registrant: {
    status: 'no-show',
    hot: false,
    action: 'send-recording',
    audiences: { registered: true, 'not-registered': false, 'no-show': true, attended: false },
    note: false,
  },
  // Registered by an outsider on the public webinar form (no token): not registered until they
  // confirm from the email; the suite then confirms and expects a registered no-show.
  unverified: {
    status: 'no-response',
    hot: false,
    action: 'next-touch',
    audiences: { registered: false, 'not-registered': true, 'no-show': false, silent: true },
    note: false,
  },
  attendee: {
    status: 'attended',
    hot: false,
    action: 'thank-next-step',
    audiences: { registered: true, attended: true, 'no-show': false, silent: false },
    note: false,
  },
  noshow: {
    status: 'no-show',
    hot: false,
    action: 'send-recording',
    audiences: { registered: true, 'no-show': true, attended: false },
    note: false,
  },
  soft: { status: 'delivery-delayed', hot: false, action: 'wait', audiences: silent, note: false },
  hard: { status: 'bounced', hot: false, action: 'find-address', audiences: {}, note: false },
  complainer: { status: 'complained', hot: false, action: 'stop', audiences: {}, note: false },
  'silent-1': { status: 'no-response', hot: false, action: 'next-touch', audiences: silent, note: false },
  'silent-2': { status: 'no-response', hot: false, action: 'next-touch', audiences: silent, note: false },
  'silent-3': { status: 'no-response', hot: false, action: 'next-touch', audiences: silent, note: false },
};

/** partners.csv for the scenario campaign: the three silent partners share one referrer. */
export function partnersCsv(): string {
  const header =
    'id,company,first_name,last_name,role,email,time_zone,tags,owner,pain,estimated_result,where_we_met,shared_connection,gatekeeper_1_name,gatekeeper_1_role,gatekeeper_1_email,gatekeeper_2_name,gatekeeper_2_role,gatekeeper_2_email,referrer_name,referrer_email,referrer_relationship';
  const rows = Object.keys(scenario).map((id) => {
    const referred = id.startsWith('silent-');
    const name = id.replace(/[^a-z]/g, '');
    return [
      id,
      `${name[0]?.toUpperCase()}${name.slice(1)} Systems AS`,
      `${name[0]?.toUpperCase()}${name.slice(1)}`,
      'Tester',
      'CTO',
      `${id}@scenario.example.com`,
      'Europe/Oslo',
      'integrator',
      'maren',
      'late alarms on warm trailers',
      'about NOK 1 million a year',
      'the Nordic Logistics IT Forum',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      referred ? 'Aoife Brennan' : '',
      referred ? 'aoife.brennan@referrer.example.org' : '',
      referred ? 'she ran quality at one of your customers' : '',
    ].join(',');
  });
  return `${[header, ...rows].join('\n')}\n`;
}

/** The referrer of the three silent partners, and the one nudge they must get per touch. */
export const referrerNudge = {
  referrer: 'aoife.brennan@referrer.example.org',
  partners: ['silent-1', 'silent-2', 'silent-3'],
};
