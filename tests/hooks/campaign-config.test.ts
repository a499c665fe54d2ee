/**
 * campaign.yaml `webhooks:` is validated with the rest of the campaign: each wrong entry is a
 * problem naming campaign.yaml, the line and the field; a secret written into the yaml is refused;
 * a good entry becomes an endpoint named `<campaign>/<name>` whose secret is read from the
 * variable it names.
 */
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCampaign } from '../../src/lib/campaign/load.ts';
import { campaignEndpoints } from '../../src/lib/hooks/campaigns.ts';
import { deliverDue } from '../../src/lib/hooks/deliver.ts';
import { tempStore } from '../followup/helpers.ts';
import { projectRoot } from '../helpers/site-build.ts';

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

function sampleWith(yaml: string): { dir: string; root: string; firstLine: number } {
  const root = mkdtempSync(join(tmpdir(), 'aircover-hook-config-'));
  roots.push(root);
  cpSync(join(projectRoot, 'campaigns', 'sample'), join(root, 'sample'), { recursive: true });
  const file = join(root, 'sample', 'campaign.yaml');
  const firstLine = readFileSync(file, 'utf8').split('\n').length + 1;
  appendFileSync(file, `\n${yaml}`);
  return { dir: join(root, 'sample'), root, firstLine };
}

describe('campaign.yaml webhooks', () => {
  it('names file, line and field of every wrong entry; a secret in the yaml is refused', () => {
    const { dir, firstLine } = sampleWith(
      [
        'webhooks:',
        '  - name: crm',
        '    url: ftp://crm.example.com/in',
        '    secretEnv: CRM_SECRET',
        '  - name: leaky',
        '    url: https://hooks.example.com/x',
        '    secret: whsec_c2VjcmV0c2VjcmV0c2VjcmV0',
        '  - url: https://hooks.example.com/y',
        '  - url: https://hooks.example.com/z',
        '    secretEnv: Z_SECRET',
        '    events: [partner.sneezed]',
        '',
      ].join('\n'),
    );
    const result = loadCampaign(dir, { contentDir: join(projectRoot, 'content') });
    expect(result.ok).toBe(false);
    const problems = result.problems.filter((p) => p.field?.startsWith('webhooks'));
    const byField = Object.fromEntries(problems.map((p) => [p.field, p]));
    expect(byField['webhooks.0.url']?.message).toMatch(/http\(s\) URL/);
    expect(byField['webhooks.0.url']?.line).toBe(firstLine + 2);
    expect(byField['webhooks.0.url']?.file).toBe(join(dir, 'campaign.yaml'));
    expect(byField['webhooks.1.secret']?.message).toMatch(/never put a secret in campaign\.yaml/);
    expect(byField['webhooks.1.secret']?.line).toBe(firstLine + 6);
    expect(byField['webhooks.2.secretEnv']?.message).toMatch(/needs secretEnv/);
    expect(byField['webhooks.2.secretEnv']?.line).toBe(firstLine + 7);
    expect(byField['webhooks.3.events.0']?.line).toBe(firstLine + 10);
  });

  it('a good entry loads, and becomes an endpoint with the secret from its variable', () => {
    const { dir, root } = sampleWith(
      [
        'webhooks:',
        '  - name: crm',
        '    url: https://crm.example.com/in',
        '    secretEnv: CRM_HOOK_SECRET',
        '    events: [partner.hot, registration.created]',
        '  - name: channel',
        '    url: https://hooks.slack.com/services/T0/B0/x',
        '    format: slack',
        '',
      ].join('\n'),
    );
    const result = loadCampaign(dir, { contentDir: join(projectRoot, 'content') });
    expect(result.problems.filter((p) => p.severity === 'error')).toEqual([]);
    const env = { AIRCOVER_CAMPAIGNS_DIR: root, CRM_HOOK_SECRET: 'whsec_c2VjcmV0c2VjcmV0c2VjcmV0' };
    expect(campaignEndpoints('sample', env)).toEqual([
      {
        name: 'sample/crm',
        url: 'https://crm.example.com/in',
        format: 'standard',
        secret: 'whsec_c2VjcmV0c2VjcmV0c2VjcmV0',
        secretEnv: 'CRM_HOOK_SECRET',
        events: ['partner.hot', 'registration.created'],
      },
      {
        name: 'sample/channel',
        url: 'https://hooks.slack.com/services/T0/B0/x',
        format: 'slack',
        secret: null,
        events: ['partner.hot', 'partner.replied'],
      },
    ]);
    // The variable unset: the endpoint stays, without a secret (its deliveries fail, visibly).
    expect(campaignEndpoints('sample', { AIRCOVER_CAMPAIGNS_DIR: root })[0]?.secret).toBeNull();
  });

  it('a missing secret or a broken campaign.yaml fails the attempt with the reason, and keeps retrying', async () => {
    const { dir, root } = sampleWith(
      [
        'webhooks:',
        '  - name: crm',
        '    url: http://127.0.0.1:9/in',
        '    secretEnv: CRM_UNSET_SECRET',
        '',
      ].join('\n'),
    );
    const { store, cleanup } = await tempStore();
    try {
      const env = { AIRCOVER_CAMPAIGNS_DIR: root, AIRCOVER_WEBHOOK_RETRY_MS: '60000' };
      await store.queueDeliveries([
        { messageId: 'msg_unset', endpoint: 'sample/crm', eventType: 'partner.hot', payload: '{}' },
      ]);
      await deliverDue(store, { env });
      const [unset] = await store.listDeliveries({ messageId: 'msg_unset' });
      expect(unset).toMatchObject({ state: 'pending', attempts: 1 });
      expect(unset?.lastError).toMatch(/CRM_UNSET_SECRET is not set/);

      // A campaign.yaml that does not validate: the reason is logged and the delivery waits.
      cpSync(dir, join(root, 'other'), { recursive: true });
      writeFileSync(
        join(root, 'other', 'campaign.yaml'),
        `${readFileSync(join(dir, 'campaign.yaml'), 'utf8')}  - url: 7\n`,
      );
      await store.queueDeliveries([
        { messageId: 'msg_broken', endpoint: 'other/crm', eventType: 'partner.hot', payload: '{}' },
      ]);
      await deliverDue(store, { env });
      const [broken] = await store.listDeliveries({ messageId: 'msg_broken' });
      expect(broken).toMatchObject({ state: 'pending', attempts: 1 });
      expect(broken?.lastError).toMatch(/campaign\.yaml webhooks\.1/);
    } finally {
      await cleanup();
    }
  });
});
