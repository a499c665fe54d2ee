/**
 * Speed wins (DESIGN.md rule 8), end to end against the real server: a partner who turns hot on
 * their personal page (a call request, or reading past the hot threshold) produces a note to
 * their owner in the outbox at once, after the answer, and once: a double submit is one note.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Partner, Store } from '../../src/lib/store/index.ts';
import { type RunningServer, startServer } from '../helpers/server.ts';
import { ensureBuild, SAMPLE } from '../helpers/site-build.ts';
import { BROWSER_UA, beacon, eventually, storeOf } from './helpers.ts';

const OWNER_ADDRESS = 'maren.owner@kestrel-sensing.example.com';

let server: RunningServer;
let store: Store;
let owned: Partner[];
let outbox: string;

const post = (path: string, body: string, headers: Record<string, string>) =>
  fetch(`${server.url}${path}`, { method: 'POST', body, headers, redirect: 'manual' });
const headers = (type: string) => ({ 'content-type': type, origin: server.url, 'user-agent': BROWSER_UA });
const noteDir = (partner: Partner) => join(outbox, partner.campaign, 'hot-note');
const notePath = (partner: Partner) => join(noteDir(partner), `${partner.partnerId}.eml`);

beforeAll(async () => {
  outbox = mkdtempSync(join(tmpdir(), 'aircover-hot-outbox-'));
  server = await startServer(await ensureBuild('sample', SAMPLE), {
    AIRCOVER_OUTBOX_DIR: outbox,
    AIRCOVER_OWNER_EMAILS: `someone=someone@example.com, maren=${OWNER_ADDRESS}`,
    RESEND_API_KEY: '',
  });
  store = await storeOf(server.dataDir);
  owned = (await store.listPartners('sample')).filter((p) => p.owner === 'maren');
  expect(owned.length).toBeGreaterThanOrEqual(2);
});
afterAll(async () => {
  await store?.close();
  await server?.stop();
});

describe('a partner who turns hot reaches their owner at once', () => {
  it('a call request from the personal page: one note in the outbox, not two on a double submit', async () => {
    const p = owned[0] as Partner;
    const body = new URLSearchParams({ token: p.token, touch: 'announce', preferredTimes: 'Tue 10:00' });
    const first = await post(
      '/api/forms/call',
      body.toString(),
      headers('application/x-www-form-urlencoded'),
    );
    expect(first.status).toBe(303);
    const again = await post(
      '/api/forms/call',
      body.toString(),
      headers('application/x-www-form-urlencoded'),
    );
    expect(again.status).toBe(303);

    const note = await eventually(async () => {
      expect(existsSync(notePath(p))).toBe(true);
      return simpleParser(readFileSync(notePath(p)));
    });
    expect(note.to && 'text' in note.to ? note.to.text : '').toContain(OWNER_ADDRESS);
    expect(note.subject).toContain(`Hot: ${p.firstName}`);
    expect(note.text).toContain(`${p.company} just turned hot (sample)`);
    expect(note.text).toMatch(/call/i);
    const written = statSync(notePath(p)).mtimeMs;

    // The event is stored whatever the note does; the double submit was one response.
    expect(await store.listResponses({ partnerId: p.partnerId, kind: 'call-request' })).toHaveLength(1);
    await eventually(async () =>
      expect(await store.listEvents({ partnerId: p.partnerId, types: ['form.call'] })).toHaveLength(1),
    );
    // Nothing more arrives: one note file, never rewritten.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(readdirSync(noteDir(p)).filter((f) => f.startsWith(p.partnerId) && f.endsWith('.eml'))).toEqual([
      `${p.partnerId}.eml`,
    ]);
    expect(statSync(notePath(p)).mtimeMs).toBe(written);
  });

  it('reading past the hot threshold: a note when the visible time crosses it, none before', async () => {
    const p = owned[1] as Partner;
    const sid = 'hotreadingsession01';
    // Reading means the paper: time on the advance copy (personal-page time never makes anyone hot).
    const send = (events: Record<string, unknown>[]) =>
      post(
        '/api/events',
        beacon(p.token, events, { sid, page: 'advance' }),
        headers('text/plain;charset=UTF-8'),
      );
    expect((await send([{ seq: 0, type: 'page_view', path: `/p/${p.token}/` }])).status).toBe(204);
    expect((await send([{ seq: 1, type: 'visible_time', ms: 60_000 }])).status).toBe(204);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(existsSync(notePath(p))).toBe(false);

    expect((await send([{ seq: 2, type: 'visible_time', ms: 70_000 }])).status).toBe(204);
    const note = await eventually(async () => {
      expect(existsSync(notePath(p))).toBe(true);
      return simpleParser(readFileSync(notePath(p)));
    });
    expect(note.to && 'text' in note.to ? note.to.text : '').toContain(OWNER_ADDRESS);
    expect(note.text).toContain(`${p.company} just turned hot`);
    const written = statSync(notePath(p)).mtimeMs;

    // Reading on once hot is not a new note.
    expect((await send([{ seq: 3, type: 'visible_time', ms: 15_000 }])).status).toBe(204);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(statSync(notePath(p)).mtimeMs).toBe(written);
  });
});
