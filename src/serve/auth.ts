/**
 * The optional access token of payctl serve. With a token, a request is let in
 * when it carries:
 *   - `Authorization: Bearer <token>` (scripts, curl), or
 *   - the session cookie, which a browser gets by opening any page once with
 *     `?token=<token>`: the answer sets the cookie and redirects to the same
 *     address without the token (so it leaves the address bar, the history
 *     and any Referer), and the page's server-sent events carry the cookie.
 * The cookie holds an HMAC of the token under a key made at start-up, not the
 * token: a restart of the server asks browsers for the link again.
 * Every comparison is in constant time (digests of equal length).
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const COOKIE = 'payctl_serve';
/** Shorter tokens are refused: guessable. */
export const MIN_TOKEN_LENGTH = 16;

export type AuthResult = { ok: true } | { ok: false } | { ok: 'redirect'; location: string; cookie: string };

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

function cookieValue(header: string | undefined): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === COOKIE) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export interface Gate {
  readonly required: boolean;
  check(req: IncomingMessage, url: URL): AuthResult;
}

/** No token: every request is let in. */
export const openGate: Gate = { required: false, check: () => ({ ok: true }) };

export function tokenGate(token: string): Gate {
  const expected = digest(token);
  const key = randomBytes(32);
  const session = createHmac('sha256', key).update(token, 'utf8').digest('hex');
  const sessionDigest = digest(session);
  const isToken = (candidate: string) => timingSafeEqual(digest(candidate), expected);
  const isSession = (candidate: string) => timingSafeEqual(digest(candidate), sessionDigest);
  return {
    required: true,
    check(req, url) {
      const auth = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
      if (auth && isToken(auth[1]!)) return { ok: true };
      const fromQuery = url.searchParams.get('token');
      if (fromQuery !== null) {
        if (!isToken(fromQuery) || req.method !== 'GET') return { ok: false };
        const clean = new URL(url);
        clean.searchParams.delete('token');
        return {
          ok: 'redirect',
          // one leading slash: never a protocol-relative //host that would leave this server
          location: '/' + clean.pathname.replace(/^[/\\]+/, '') + clean.search,
          cookie: `${COOKIE}=${session}; HttpOnly; SameSite=Lax; Path=/`,
        };
      }
      const cookie = cookieValue(req.headers.cookie);
      return cookie !== undefined && isSession(cookie) ? { ok: true } : { ok: false };
    },
  };
}
