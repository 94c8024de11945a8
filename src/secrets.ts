/**
 * Secrets: `env:NAME` references, and the redaction that keeps their values out
 * of the timeline, postmortems, stdout and stderr.
 *
 * Every secret value read through resolveSecret() is remembered for the life of
 * the process, and redact() replaces it wherever it appears. On top of that,
 * keys that are secret by name (authorization, api-key, routing_key, webhook_url,
 * …) are masked whatever their value.
 */
import { InvalidInputError } from './errors.js';

export const MASK = '***';
const known = new Set<string>();

const SECRET_KEY =
  /^(authorization|proxy-authorization|api[-_]?key|x-api-key|token|access[-_]?token|secret|password|routing[-_]?key|webhook[-_]?url|cookie|set-cookie)$/i;
/** URLs that are secrets by themselves (Slack webhooks carry their token in the path). */
const SECRET_URL = /https?:\/\/hooks\.slack\.com\/[^\s"']+/g;

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

/** Remember a value that must never be printed or written. Very short values are ignored (they would mask ordinary text). */
export function registerSecret(value: string): void {
  if (value.length >= 6) known.add(value);
}

export function redact(text: string): string {
  let out = text;
  for (const s of known) if (out.includes(s)) out = out.split(s).join(MASK);
  return out.replace(SECRET_URL, (u) => u.replace(/(hooks\.slack\.com\/).*/, `$1${MASK}`));
}

/** A deep copy with secret-named keys masked and every known secret value replaced. */
export function redactDeep<T>(value: T): T {
  return walk(value, undefined) as T;
}

function walk(value: unknown, key: string | undefined): unknown {
  if (key !== undefined && SECRET_KEY.test(key) && value !== undefined && value !== null && value !== '') {
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

/** For tests: forget registered secrets. */
export function clearSecretsForTest(): void {
  known.clear();
}
