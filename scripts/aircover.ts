#!/usr/bin/env node
// The aircover command line. Each command lives in its own file under src/cli/commands/
// and is loaded only when it runs, so `aircover --help` stays fast.

// citty decides on colours when it loads, whatever the stream; keep pipes and logs free of
// escape codes by deciding first.
if (!process.stdout.isTTY || process.env.CI) process.env.NO_COLOR ??= '1';
const { runMain } = await import('../src/cli/main.ts');
await runMain();

export {};
