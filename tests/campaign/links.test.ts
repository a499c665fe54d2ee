/**
 * Links to nothing (src/lib/campaign/lint-links.ts): a touch that links the recording cannot be
 * sent while the webinar has no recordingUrl, and the missing recording is not "something new".
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCampaign } from '../../src/lib/campaign/preflight.ts';
import { runCli } from '../helpers/site-build.ts';
import { contentDir, secret } from './helpers.ts';

const afterWebinar = new Date('2027-01-23T12:00:00Z');

describe('links to the recording', () => {
  it('is a preflight error naming the touch and its template once due, or when it is being sent', async () => {
    const report = await checkCampaign('campaigns/sample', { contentDir, secret, now: afterWebinar });
    const missing = report.problems.filter((p) => p.code === 'links.no-recording');
    expect(missing.map((p) => p.touch).sort()).toEqual(['recording', 'thanks']);
    expect(missing.every((p) => p.severity === 'error')).toBe(true);
    expect(missing[0]?.message).toMatch(/emails\/(recording|thanks)\.md.*no recordingUrl/);
    // Before it is due, nothing; unless that very touch is about to be sent.
    const before = await checkCampaign('campaigns/sample', { contentDir, secret });
    expect(before.problems.filter((p) => p.code === 'links.no-recording')).toEqual([]);
    const sending = await checkCampaign('campaigns/sample', { contentDir, secret, sending: ['recording'] });
    expect(sending.problems.filter((p) => p.code === 'links.no-recording').map((p) => p.touch)).toEqual([
      'recording',
    ]);
    expect(sending.ok).toBe(false);
  });

  it('aircover send --touch recording refuses; another touch still plans', async () => {
    const env = {
      AIRCOVER_SECRET: secret,
      AIRCOVER_DATA_DIR: mkdtempSync(join(tmpdir(), 'aircover-links-')),
      AIRCOVER_TRANSPORT: 'outbox',
      AIRCOVER_OUTBOX_DIR: mkdtempSync(join(tmpdir(), 'aircover-links-outbox-')),
    };
    const refused = await runCli(['send', 'sample', '--touch', 'recording', '--dry-run'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/touch "recording" \(.*recording\.md\) links the recording/);
    const fine = await runCli(['send', 'sample', '--touch', 'advance-notice', '--dry-run'], env);
    expect(fine.code, fine.stderr).toBe(0);
  });

  it('a follow-up whose only new link is the missing recording earns nothing', async () => {
    const root = mkdtempSync(join(tmpdir(), 'aircover-links-campaign-'));
    const dir = join(root, 'sample');
    cpSync('campaigns/sample', dir, { recursive: true });
    const file = join(dir, 'emails', 'follow-up.md');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(
        '{{ blog["spoilage-hides-in-the-handoffs"].url }}',
        '{{ links.recording }}',
      ),
    );
    const report = await checkCampaign(dir, { contentDir, secret });
    expect(report.problems.some((p) => p.code === 'lint.earn-the-response' && p.touch === 'follow-up')).toBe(
      true,
    );
  });
});
