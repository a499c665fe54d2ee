/**
 * The one body reader of every on-demand route (beacons on the Node fast path and in Astro,
 * forms, the public webinar registration, webhooks, one-click unsubscribe, the admin login).
 * It answers what is wrong with a body the same way everywhere:
 *
 * - 415 when the content type is not one the route takes (`text/plain` is a form nowhere);
 * - 413 when the declared or the actual size is over the route's limit (reading stops there);
 * - 400 when the body does not parse (malformed JSON, a broken multipart form).
 *
 * What it returns is parsed and cleaned (src/lib/input/clean.ts): no NUL, lone surrogates or
 * control characters reach validation, the store or a terminal. `raw` is the body as received,
 * for signature checks only.
 */
import type { IncomingMessage } from 'node:http';
import { cleanDeep } from '../input/clean.ts';
import type { Answer } from './answer.ts';
import { jsonAnswer } from './answer.ts';

/** `text` is JSON sent as text/plain (navigator.sendBeacon); only the beacon takes it. */
export type BodyType = 'json' | 'text' | 'form' | 'multipart';

const MEDIA: Record<BodyType, string> = {
  json: 'application/json',
  text: 'text/plain',
  form: 'application/x-www-form-urlencoded',
  multipart: 'multipart/form-data',
};

export interface BodyRules {
  maxBytes: number;
  accept: readonly BodyType[];
}

/** A body to read: a web Request (Astro routes) or a Node request (the fast path). */
export interface BodySource {
  contentType: string | null;
  contentLength: string | null;
  /** The body as bytes, or null when it is longer than `limit`. */
  read(limit: number): Promise<Uint8Array | null>;
}

export type ReadBody =
  | { ok: true; type: BodyType; raw: string; value: unknown }
  | { ok: false; answer: Answer };

export function requestBody(request: Request): BodySource {
  return {
    contentType: request.headers.get('content-type'),
    contentLength: request.headers.get('content-length'),
    async read(limit) {
      if (!request.body) return new Uint8Array();
      const reader = request.body.getReader();
      const chunks: Uint8Array[] = [];
      let size = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > limit) {
          await reader.cancel().catch(() => undefined);
          return null;
        }
        chunks.push(value);
      }
      return Buffer.concat(chunks);
    },
  };
}

export function nodeBody(req: IncomingMessage): BodySource {
  const header = (name: string) => {
    const v = req.headers[name];
    return typeof v === 'string' ? v : null;
  };
  return {
    contentType: header('content-type'),
    contentLength: header('content-length'),
    read: (limit) =>
      new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        req.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > limit) {
            req.pause();
            resolve(null);
            return;
          }
          chunks.push(chunk);
        });
        req.on('end', () => resolve(Buffer.concat(chunks)));
        req.on('error', reject);
      }),
  };
}

const refuse = (status: number, error: string): { ok: false; answer: Answer } => ({
  ok: false,
  answer: jsonAnswer(status, { error }, status === 413 ? { connection: 'close' } : {}),
});

export function bodyTypeOf(contentType: string | null, accept: readonly BodyType[]): BodyType | null {
  const media = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  return accept.find((type) => MEDIA[type] === media) ?? null;
}

export async function readBody(source: BodySource | Request, rules: BodyRules): Promise<ReadBody> {
  const body = source instanceof Request ? requestBody(source) : source;
  const type = bodyTypeOf(body.contentType, rules.accept);
  if (!type) return refuse(415, `send ${rules.accept.map((t) => MEDIA[t]).join(' or ')}`);
  const declared = Number(body.contentLength);
  const tooLarge = `at most ${Math.round(rules.maxBytes / 1024)} KB`;
  if (body.contentLength !== null && Number.isFinite(declared) && declared > rules.maxBytes)
    return refuse(413, tooLarge);
  const bytes = await body.read(rules.maxBytes);
  if (bytes === null) return refuse(413, tooLarge);
  const raw = Buffer.from(bytes).toString('utf8');
  let parsed: unknown;
  if (type === 'json' || type === 'text') {
    try {
      parsed = JSON.parse(raw);
    } catch {
      return refuse(400, 'malformed JSON');
    }
  } else if (type === 'form') {
    parsed = Object.fromEntries(new URLSearchParams(raw));
  } else {
    const form = await new Response(Buffer.from(bytes), {
      headers: { 'content-type': body.contentType ?? '' },
    })
      .formData()
      .catch(() => null);
    if (!form) return refuse(400, 'malformed multipart form');
    const fields: Record<string, string> = {};
    for (const [key, value] of form) if (typeof value === 'string') fields[key] = value;
    parsed = fields;
  }
  return { ok: true, type, raw, value: cleanDeep(parsed) };
}

/**
 * A body's fields as strings (repeated form fields keep the last value; JSON numbers and
 * booleans as text), or null when a JSON body is not an object.
 */
export function fieldsOf(value: unknown): Record<string, string> | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  const fields: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) {
    if (typeof v === 'string') fields[key] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') fields[key] = String(v);
  }
  return fields;
}

export async function readFields(
  source: BodySource | Request,
  rules: BodyRules,
): Promise<{ ok: true; fields: Record<string, string> } | { ok: false; answer: Answer }> {
  const read = await readBody(source, rules);
  if (!read.ok) return read;
  const fields = fieldsOf(read.value);
  return fields ? { ok: true, fields } : refuse(400, 'send an object of fields');
}
