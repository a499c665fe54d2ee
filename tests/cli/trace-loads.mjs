// Loaded with `node --import` by startup.test.ts: writes the URL of every module the process
// loads to the file named by AIRCOVER_TRACE_LOADS, one a line.
import { appendFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const file = process.env.AIRCOVER_TRACE_LOADS;
registerHooks({
  load(url, context, next) {
    if (file) appendFileSync(file, `${url}\n`);
    return next(url, context);
  },
});
