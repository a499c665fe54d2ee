import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildsRoot } from './helpers/site-build.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    testRunId: string;
  }
}

/**
 * Each test run builds its sites afresh, once, into a folder of its own: runs started at
 * the same time (several engineers, or a watch and a full run) never share a build.
 */
export default function setup(project: TestProject) {
  mkdirSync(buildsRoot, { recursive: true });
  const hourAgo = Date.now() - 60 * 60 * 1000;
  for (const entry of readdirSync(buildsRoot)) {
    const path = join(buildsRoot, entry);
    if (statSync(path).mtimeMs < hourAgo) rmSync(path, { recursive: true, force: true });
  }
  project.provide('testRunId', `${Date.now().toString(36)}-${process.pid}`);
}
