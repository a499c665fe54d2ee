/**
 * Rendering a send on other threads. Rendering (Liquid, Markdown, the MJML layout, html-to-text)
 * costs about a millisecond per message, which at Resend's pace (100 messages per call, 10 calls
 * per second) is the whole budget of one thread. A few worker threads each receive the campaign
 * once and render the rows the next claims will take; the sending thread only claims, re-checks
 * suppressions, dispatches and records (see run.ts).
 *
 * Work is shared in small pieces: threads pull them as they finish, and the sending thread,
 * when it has to wait for its next call's rows, renders pieces no thread has taken yet.
 *
 * The pool never decides what is sent: it renders rows it is given, speculatively, and the
 * sender uses a rendering only for a row it has just claimed. A pool that fails (a thread dies,
 * a module does not load) rejects its renders and every later one; the sender then renders in
 * its own thread, so a broken pool costs speed, never correctness.
 *
 * Threads are idle (unref'd) whenever they have no work, so they never keep a process alive, and
 * `close()` terminates them: the sender closes the pool when the touch ends, fails or is aborted.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Campaign, Touch } from '../../campaign/load.ts';
import { messageLang, type RenderOptions } from '../render/index.ts';
import { layoutHtml } from '../render/layout.ts';
import { type BuildRow, type Built, buildMessage, partnersOfRow } from './build.ts';
import type { RenderAnswer, RenderRequest, RenderWorkerData } from './render-worker.ts';

/** Most render threads a send starts, whatever the core count: past this the call rate binds. */
const MAX_THREADS = 4;

/**
 * Render threads for a send: AIRCOVER_RENDER_THREADS when set (0 renders in the sending thread),
 * else one per core up to 4, and none on a single core (threads would only compete with the
 * sending thread for it).
 */
export function renderThreadsFor(
  env: NodeJS.ProcessEnv = process.env,
  cores = availableParallelism(),
): number {
  const raw = env.AIRCOVER_RENDER_THREADS;
  if (raw !== undefined && raw.trim() !== '') {
    const n = Number(raw);
    if (Number.isInteger(n) && n >= 0) return Math.min(n, 16);
  }
  return cores <= 1 ? 0 : Math.min(cores, MAX_THREADS);
}

export interface RenderPool {
  readonly threads: number;
  /** Every thread has loaded the renderer and none has failed: renders go out at once. */
  readonly ready: boolean;
  /** Builds every row (keyed by idempotency key); rejects if the pool failed or was closed. */
  render(rows: BuildRow[]): Promise<Map<string, Built>>;
  /**
   * Renders, in the calling thread, the pieces no thread has taken yet (oldest first), until
   * none is left or `stop()` says so. A sender waiting for its next call's rows calls this rather
   * than idle: on a busy machine the threads fall behind, and the sending thread's wait is CPU
   * the send can use.
   */
  renderHere(stop?: () => boolean): Promise<number>;
  /** Terminates every thread; pending renders reject. Safe to call more than once. */
  close(): Promise<void>;
}

let live = 0;
/** Render threads currently running in this process (tests check that sends leave none). */
export function liveRenderThreads(): number {
  return live;
}

/** Rows per piece of work: small enough to share a call's rows among threads, large enough to
 * make a message between threads cheap beside the rendering (about 10 ms of work). */
const PIECE = 10;
/** Pieces a thread holds at once: the next is there when it finishes one. */
const HELD = 2;

interface Piece {
  rows: BuildRow[];
  resolve: (built: [string, Built][]) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  held: Map<number, Piece>;
  exited: Promise<void>;
}

export async function startRenderPool(
  campaign: Campaign,
  touch: Touch,
  render: RenderOptions,
  threads: number,
): Promise<RenderPool> {
  const lang = messageLang(campaign);
  const data: RenderWorkerData = {
    campaign: { ...campaign, partners: [] },
    touch: touch.id,
    render,
    layouts: { [lang]: await layoutHtml(lang) },
  };
  const partners = new Map(campaign.partners.map((p) => [p.id, p]));
  const backlog: Piece[] = [];
  let failure: Error | undefined;
  let nextId = 0;
  let started = 0;

  const slots: Slot[] = Array.from({ length: Math.max(1, threads) }, () => {
    const worker = new Worker(new URL('./render-worker.ts', import.meta.url), { workerData: data });
    live++;
    worker.unref();
    const slot: Slot = {
      worker,
      held: new Map(),
      exited: new Promise((resolve) => {
        worker.once('exit', (code) => {
          live--;
          fail(new Error(`a render thread stopped (exit code ${code})`));
          resolve();
        });
      }),
    };
    worker.on('message', (answer: RenderAnswer | 'ready') => {
      if (answer === 'ready') {
        started++;
        pump();
        return;
      }
      const piece = slot.held.get(answer.id);
      if (!piece) return;
      slot.held.delete(answer.id);
      if ('error' in answer) {
        fail(new Error(`a render thread failed: ${answer.error}`));
        piece.reject(failure as Error);
        return;
      }
      piece.resolve(answer.built);
      pump();
    });
    worker.once('error', (error) => fail(error));
    return slot;
  });

  /** Hands waiting pieces to threads that have room; a thread with nothing held may idle. */
  function pump(): void {
    if (failure || started < slots.length) return;
    for (const slot of slots) {
      while (slot.held.size < HELD && backlog.length > 0) {
        const piece = backlog.shift() as Piece;
        const id = nextId++;
        slot.held.set(id, piece);
        const request: RenderRequest = {
          id,
          rows: piece.rows,
          partners: piece.rows.map((row) => partnersOfRow(row, partners) ?? null),
        };
        slot.worker.postMessage(request);
      }
      if (slot.held.size > 0) slot.worker.ref();
      else slot.worker.unref();
    }
  }

  /** The first failure ends the pool: pending and later renders reject, threads stop. */
  function fail(error: Error): void {
    failure ??= error;
    const pieces = [...backlog.splice(0), ...slots.flatMap((slot) => [...slot.held.values()])];
    for (const slot of slots) {
      slot.held.clear();
      void slot.worker.terminate();
    }
    for (const piece of pieces) piece.reject(failure);
  }

  return {
    threads: slots.length,
    get ready() {
      return started === slots.length && failure === undefined;
    },
    async render(rows) {
      if (failure) throw failure;
      const pieces: Promise<[string, Built][]>[] = [];
      for (let i = 0; i < rows.length; i += PIECE) {
        pieces.push(
          new Promise((resolve, reject) => backlog.push({ rows: rows.slice(i, i + PIECE), resolve, reject })),
        );
      }
      pump();
      return new Map((await Promise.all(pieces)).flat());
    },
    async renderHere(stop) {
      let rendered = 0;
      while (backlog.length > 0 && !failure && !stop?.()) {
        const piece = backlog.shift() as Piece;
        const built: [string, Built][] = [];
        for (const row of piece.rows) {
          built.push([
            row.idempotencyKey,
            await buildMessage(campaign, touch, partnersOfRow(row, partners), row, render),
          ]);
        }
        piece.resolve(built);
        rendered += piece.rows.length;
        // Answers from the threads and the network get their turn between pieces.
        await new Promise((resolve) => setImmediate(resolve));
      }
      return rendered;
    },
    async close() {
      fail(new Error('the render pool was closed'));
      await Promise.all(slots.map((slot) => slot.exited));
    },
  };
}
