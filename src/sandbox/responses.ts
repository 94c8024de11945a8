/**
 * What an injected response fault looks like on the wire, per emulated API:
 * errors (500), rate_limit (429 with Retry-After: 1) and garbage (an HTML page
 * or a truncated body), in each API's own style.
 */
import { json, serializeBody, text, type Reply } from './http.js';

const HTML_ERROR = (status: number, title: string) =>
  `<!DOCTYPE html>\n<html><head><title>${status} ${title}</title></head><body><center><h1>${status} ${title}</h1></center><hr><center>nginx</center></body></html>\n`;

const HTML_GARBAGE =
  '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Just a moment...</title></head>' +
  '<body><noscript>Please enable JavaScript and cookies to continue</noscript><div id="challenge">Checking your browser before accessing the status page.</div></body></html>\n';

/** 500 in the style of the API behind `target` (`api` is slack, pagerduty, … or "provider"). */
export function serverError(api: string): Reply {
  switch (api) {
    case 'slack':
      return text(500, 'rollup_error');
    case 'pagerduty':
      return json(500, { status: 'error', message: 'Internal Server Error', errors: ['An unexpected error occurred'] });
    case 'hyperswitch':
      return json(500, { error: { type: 'api', message: 'Something went wrong', code: 'HE_00' } });
    case 'prometheus':
      return json(500, { status: 'error', errorType: 'internal', error: 'sandbox: injected server error' });
    case 'statuspage':
      return json(500, { error: 'Internal Server Error' });
    case 'webhook':
      return json(500, { ok: false, error: 'internal error' });
    default:
      return { status: 500, body: HTML_ERROR(500, 'Internal Server Error'), contentType: 'text/html' };
  }
}

/** 429 with Retry-After: 1. */
export function rateLimited(api: string): Reply {
  const headers = { 'Retry-After': '1' };
  switch (api) {
    case 'slack':
      return text(429, 'rate_limited', headers);
    case 'pagerduty':
      return json(
        429,
        { status: 'throttle event', message: 'Requests for this service are arriving too quickly. Please retry later.' },
        headers,
      );
    case 'hyperswitch':
      return json(429, { error: { type: 'rate_limit', message: 'Too many requests', code: 'RE_01' } }, headers);
    case 'prometheus':
      return json(429, { status: 'error', errorType: 'unavailable', error: 'too many requests' }, headers);
    case 'statuspage':
      return json(429, { error: 'Rate limit exceeded. Try again in 1 second.' }, headers);
    case 'webhook':
      return json(429, { ok: false, error: 'rate limited' }, headers);
    default:
      return { status: 429, body: HTML_ERROR(429, 'Too Many Requests'), contentType: 'text/html', headers };
  }
}

/** The real reply made unreadable: an HTML page with status 200, or its body cut in half. */
export function garbled(reply: Reply, mode: 'html' | 'truncated'): Reply {
  if (mode === 'html') return { status: 200, body: HTML_GARBAGE, contentType: 'text/html; charset=utf-8' };
  const { contentType, payload } = serializeBody(reply);
  return { status: reply.status, body: payload.slice(0, Math.max(1, Math.floor(payload.length / 2))), contentType, headers: reply.headers };
}
