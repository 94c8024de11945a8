/** Small HTTP helpers for the sandbox tests: real requests over 127.0.0.1. */
export interface Res {
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

export async function call(url: string, init: RequestInit & { json?: unknown; timeoutMs?: number } = {}): Promise<Res> {
  const { json, timeoutMs = 5000, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (json !== undefined) headers.set('content-type', 'application/json');
  const r = await fetch(url, {
    ...rest,
    headers,
    body: json !== undefined ? JSON.stringify(json) : rest.body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await r.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // plain text
  }
  return { status: r.status, headers: r.headers, text, body };
}

/** A clock tests move by hand. */
export function manualClock(start = Date.parse('2025-03-01T02:00:00Z')) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}
