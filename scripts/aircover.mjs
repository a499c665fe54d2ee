#!/usr/bin/env node
// The aircover command line. Each command lives in its own file under src/cli/commands/
// and loads its heavy modules only when it runs, so `aircover --help` stays fast.
//
// This one file is plain JavaScript: Node strips an entry file's types before any of it runs,
// so a TypeScript entry would load the stripper (amaro, about 40 ms and 15 MB) on every call,
// before the compile cache below could serve it.
import { enableCompileCache } from 'node:module';
import { join } from 'node:path';

// Node's compile cache keeps the stripped, compiled TypeScript between runs: most of what
// start-up costs. The ./aircover launcher sets NODE_COMPILE_CACHE; this covers `npm start`
// and calling this file directly (a no-op when the launcher already enabled it).
enableCompileCache(join(process.env.AIRCOVER_STATE_DIR ?? '.aircover', 'cache', 'node'));

// citty decides on colours when it loads, whatever the stream; keep pipes and logs free of
// escape codes by deciding first.
if (!process.stdout.isTTY || process.env.CI) process.env.NO_COLOR ??= '1';
const { runMain } = await import('../src/cli/main.ts');
await runMain();
