/**
 * The small HTTP vocabulary of the sandbox: a received request (as recorded in
 * the request log), a reply the emulated APIs return, and body parsing.
 * Handlers are plain functions from a request to a reply; server.ts writes it.
 */
import type { IncomingMessage } from 'node:http';

/** One request as received, recorded raw (headers included: tests check idempotency keys). */
export interface RecordedRequest {
  /** 1, 2, 3… in arrival order. */
  seq: number;
  /** ISO time of arrival. */
  time: string;
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  /** JSON or form bodies parsed; other bodies as text; undefined when empty. */
  body: unknown;
  /** Which emulated API answered: a provider name, slack, statuspage, pagerduty, hyperswitch, prometheus, webhook. */
  target?: string;
  /** The status sent back; undefined while pending or when the request was left hanging. */
  status?: number;
}

/** A request as handlers see it. */
export interface SandboxRequest extends RecordedRequest {
  rawBody: string;
  /** Set when the body claimed to be JSON (or looked like it) and did not parse. */
  bodyError?: string;
}

export interface Reply {
  status: number;
  /** An object or array is sent as JSON; a string as text. */
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

export function json(status: number, body: unknown, headers?: Record<string, string>): Reply {
  return { status, body, contentType: 'application/json; charset=utf-8', headers };
}

export function text(status: number, body: string, headers?: Record<string, string>): Reply {
  return { status, body, contentType: 'text/plain; charset=utf-8', headers };
}

export function serializeBody(reply: Reply): { contentType: string; payload: string } {
  if (typeof reply.body === 'string') return { contentType: reply.contentType ?? 'text/plain; charset=utf-8', payload: reply.body };
  if (reply.body === undefined) return { contentType: reply.contentType ?? 'text/plain; charset=utf-8', payload: '' };
  return { contentType: reply.contentType ?? 'application/json; charset=utf-8', payload: JSON.stringify(reply.body) };
}

const MAX_BODY = 1024 * 1024;

export function readRawBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function parseBody(raw: string, contentType: string | undefined): { body: unknown; bodyError?: string } {
  if (raw === '') return { body: undefined };
  const type = (contentType ?? '').toLowerCase();
  if (type.includes('application/x-www-form-urlencoded')) {
    return { body: Object.fromEntries(new URLSearchParams(raw)) };
  }
  const looksJson = type.includes('json') || /^\s*[[{"]/.test(raw);
  if (!looksJson) return { body: raw };
  try {
    return { body: JSON.parse(raw) };
  } catch (e) {
    return { body: raw, bodyError: e instanceof Error ? e.message : String(e) };
  }
}

/** Headers as a flat record of lower-case names (repeated headers joined with ", "). */
export function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Short random-looking ids, like Statuspage's 12-character ids (deterministic per counter). */
export function makeId(prefix: string, n: number): string {
  const base = (n * 2654435761) % 4294967296;
  return `${prefix}${base.toString(36).padStart(7, '0')}${n.toString(36)}`;
}
