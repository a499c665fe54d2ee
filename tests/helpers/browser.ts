/**
 * Chromium for the browser tests: the same binary and flags as `aircover pdf`
 * (src/lib/browser.ts; CHROMIUM_PATH overrides the location).
 */
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../src/lib/browser.ts';

export { hasChromium } from '../../src/lib/browser.ts';

export async function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  return launchChromium({ extraArgs });
}

/** Collects console errors and page errors, so a test can assert there were none. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}
