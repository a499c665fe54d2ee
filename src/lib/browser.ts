/**
 * Headless Chromium for this project: Debian's system binary driven by playwright-core (no
 * browser download). CHROMIUM_PATH overrides the location. Used by `aircover pdf` and by the
 * browser tests, so both launch the same binary with the same flags.
 */
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';

/** The machines' network is closed: without these flags Chromium keeps dialling out. */
export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.CHROMIUM_PATH || '/usr/bin/chromium';
}

export function hasChromium(executablePath: string = chromiumPath()): boolean {
  return existsSync(executablePath);
}

/** Launches Chromium with the project's flags (plus `extraArgs`); playwright-core loads on first use. */
export async function launchChromium(
  options: { executablePath?: string; extraArgs?: string[] } = {},
): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: options.executablePath ?? chromiumPath(),
    args: [...chromiumArgs, ...(options.extraArgs ?? [])],
  });
}
