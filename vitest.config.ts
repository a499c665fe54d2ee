import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'src/**/*.test.ts'],
    globalSetup: ['tests/global-setup.ts'],
    // Builds and browsers are slow on two cores; unit tests finish long before these limits.
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // Integration tests build the site and start servers; keep their number bounded.
    maxWorkers: 2,
    env: { ASTRO_TELEMETRY_DISABLED: '1', NO_COLOR: '1' },
  },
});
