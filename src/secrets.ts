/**
 * Secrets: `env:NAME` references, and the redaction that keeps their values out
 * of the timeline, postmortems, stdout and stderr.
 *
 * Every secret value read through resolveSecret() is remembered for the life of
 * the process, and redact() replaces it wherever it appears, in every form a
 * server may echo it back (see secretForms): the whole value; the credential
 * after a scheme word (`Bearer abc…` → `abc…`, also Basic's decoded
 * `user:password` and password, `token …`, `OAuth …`); for a URL, each query
 * value, the user-info and its password, percent-encoded or not. On top of
 * that, keys that are secret by name (authorization, api-key, routing_key,
 * webhook_url, …) are masked whatever their value.
 *
 * Which values are known: every `env:` value in the config and in the
 * playbooks (registerSecretsIn, registerPlaybookSecrets), so that a command
 * which never calls the service (incident note, show, postmortem) still
 * masks a key a responder pasted.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidInputError } from './errors.js';

export const MASK = '***';
const known = new Set<string>();
let sorted: { size: number; list: string[] } = { size: 0, list: [] };

function byLength(): string[] {
  if (sorted.size !== known.size) sorted = { size: known.size, list: [...known].sort((a, b) => b.length - a.length) };
  return sorted.list;
}

const SECRET_KEY =
  /^(authorization|proxy-authorization|api[-_]?key|x-api-key|token|access[-_]?token|secret|password|routing[-_]?key|webhook[-_]?url|cookie|set-cookie)$/i;
/** URLs that are secrets by themselves (Slack webhooks carry their token in the path). */
const SECRET_URL = /https?:\/\/hooks\.slack\.com\/[^\s"']+/g;
/** In every SECRET_URL: text without it has none. */
const SECRET_URL_HOST = 'hooks.slack.com';

export function isSecretRef(value: unknown): value is string {
  return typeof value === 'string' && /^env:[A-Za-z_][A-Za-z0-9_]*$/.test(value);
}

/**
 * Read `env:NAME` from the environment. `where` names the config key, for the
 * error when the variable is missing. Plain strings are returned unchanged.
 */
export function resolveSecret(ref: string, where: string, env: NodeJS.ProcessEnv = process.env): string {
  if (!isSecretRef(ref)) return ref;
  const name = ref.slice(4);
  const value = env[name];
  if (value === undefined || value === '') {
    throw new InvalidInputError(
      `environment variable ${name} is not set (needed by ${where})`,
      `export ${name}=… before running payctl, or set it in your CI secrets`,
    );
  }
  registerSecret(value);
  return value;
}

/** Shorter values are not remembered: they would mask ordinary text. */
const MIN_SECRET_LENGTH = 6;
/** A secret URL's path segment this long is taken for a token (shorter ones are words: /hooks, /api, /v1). */
const PATH_TOKEN_LENGTH = 16;
const SCHEME = /^(bearer|basic|token|oauth|digest|apikey|api-key|key)\s+(\S.*)$/i;

/** Remember a value that must never be printed or written, in every form it takes (secretForms). */
export function registerSecret(value: string): void {
  for (const form of secretForms(value)) if (form.length >= MIN_SECRET_LENGTH) known.add(form);
}

/** The value and the parts of it a server may echo on their own. */
export function secretForms(value: string): string[] {
  const forms = new Set<string>([value, value.trim()]);
  const scheme = SCHEME.exec(value.trim());
  if (scheme) {
    const credential = scheme[2]!.trim();
    forms.add(credential);
    if (scheme[1]!.toLowerCase() === 'basic') {
      const decoded = Buffer.from(credential, 'base64').toString('utf8');
      // only when it really was base64 of user:password
      if (
        // biome-ignore lint/suspicious/noControlCharactersInRegex: a user:password pair holds no control characters
        /^[^:\x00-\x1f]*:[^\x00-\x1f]+$/.test(decoded) &&
        Buffer.from(decoded, 'utf8').toString('base64').replace(/=+$/, '') === credential.replace(/=+$/, '')
      ) {
        forms.add(decoded);
        forms.add(decoded.slice(decoded.indexOf(':') + 1));
      }
    }
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value.trim())) {
    try {
      const u = new URL(value.trim());
      for (const [, v] of u.searchParams) forms.add(v);
      for (const part of u.search.slice(1).split('&')) {
        const raw = part.slice(part.indexOf('=') + 1);
        if (part.includes('=') && raw) forms.add(raw);
      }
      // a token in the path (a Slack webhook's /services/T…/B…/<token>): a server echoes the path ("Cannot POST /…"), a person pastes the token
      const segments = u.pathname.split('/').filter(Boolean);
      if (segments.length >= 2 || segments.some((seg) => seg.length >= PATH_TOKEN_LENGTH)) forms.add(u.pathname);
      for (const seg of segments) if (seg.length >= PATH_TOKEN_LENGTH) forms.add(seg).add(safeDecode(seg));
      if (u.password) {
        forms.add(u.password);
        forms.add(safeDecode(u.password));
        if (u.username) forms.add(`${safeDecode(u.username)}:${safeDecode(u.password)}`);
      }
    } catch {
      /* not a URL after all: the whole value is still masked */
    }
  }
  for (const f of [...forms]) {
    const encoded = encodeURIComponent(f);
    if (encoded !== f) forms.add(encoded);
  }
  return [...forms].filter(Boolean);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export function redact(text: string): string {
  let out = text;
  // longest first: a token inside a longer known value must not leave the rest of that value behind
  for (const s of byLength()) if (out.includes(s)) out = out.split(s).join(MASK);
  // the regex only where it can match (10,000 listed incidents are 100,000 short strings)
  if (!out.includes(SECRET_URL_HOST)) return out;
  return out.replace(SECRET_URL, (u) => u.replace(/(hooks\.slack\.com\/).*/, `$1${MASK}`));
}

/** UTF-8 text redacted as redact() does; the same bytes, not decoded, when they hold nothing to mask. */
export function redactBytes(bytes: Buffer): Buffer {
  if (!bytes.includes(SECRET_URL_HOST) && !byLength().some((s) => bytes.includes(s))) return bytes;
  return Buffer.from(redact(bytes.toString('utf8')));
}

/** A deep copy with secret-named keys masked and every known secret value replaced. */
export function redactDeep<T>(value: T): T {
  return walk(value, undefined) as T;
}

/** Whether a key is secret by name, remembered per key (a document repeats the same few keys). */
const secretKeys = new Map<string, boolean>();
function isSecretKey(key: string): boolean {
  let secret = secretKeys.get(key);
  if (secret === undefined) {
    secret = SECRET_KEY.test(key);
    if (secretKeys.size < 10_000) secretKeys.set(key, secret);
  }
  return secret;
}

function walk(value: unknown, key: string | undefined): unknown {
  if (key !== undefined && isSecretKey(key) && value !== undefined && value !== null && value !== '') {
    return typeof value === 'string' && value.startsWith('env:') ? value : MASK;
  }
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map((v) => walk(v, undefined));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = walk(v, k);
    return out;
  }
  return value;
}

/**
 * Register the value of every `env:NAME` anywhere in `value` (the config) that
 * is set in the environment, without requiring any: so that a command which
 * never calls the service (incident note, show, postmortem) still redacts a
 * key a responder pasted.
 */
export function registerSecretsIn(value: unknown, env: NodeJS.ProcessEnv = process.env): void {
  if (isSecretRef(value)) {
    const v = env[value.slice(4)];
    if (v) registerSecret(v);
  } else if (Array.isArray(value)) {
    for (const v of value) registerSecretsIn(v, env);
  } else if (value && typeof value === 'object') {
    for (const v of Object.values(value)) registerSecretsIn(v, env);
  }
}

/**
 * Register the value of every `env:NAME` the playbooks in `dir` name (an http
 * step's headers, a shell step's env): read as text, without parsing, so any
 * command can afford it. A missing directory or an unreadable file is skipped.
 */
export function registerPlaybookSecrets(dir: string, env: NodeJS.ProcessEnv = process.env): void {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => /\.ya?ml$/i.test(f));
  } catch {
    return;
  }
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(join(dir, f), 'utf8');
    } catch {
      continue;
    }
    for (const m of text.matchAll(/env:([A-Za-z_][A-Za-z0-9_]*)/g)) {
      const v = env[m[1]!];
      if (v) registerSecret(v);
    }
  }
}

/** For tests: forget registered secrets. */
export function clearSecretsForTest(): void {
  known.clear();
}
