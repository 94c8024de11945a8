/**
 * Metrics from a file, for teams without Prometheus: CSV with a header
 * `time,success_rate[,provider]`, or JSON: a list (or {readings: [...]}) of
 * {time, success_rate?, provider?, decline_codes?: {code: count}}.
 * A reading is the mean success rate (and the summed decline codes) over the
 * window ending at the newest reading, optionally for one provider.
 */
import { readFile } from 'node:fs/promises';
import { InvalidInputError } from '../errors.js';

export interface FileReading {
  time: number;
  success_rate?: number;
  provider?: string;
  decline_codes?: Record<string, number>;
}

export interface FileMetric {
  success_rate: number | null;
  breakdown: Record<string, number>;
  /** ISO time of the newest reading used. */
  at: string | null;
  count: number;
}

export function parseMetricsText(text: string, file: string): FileReading[] {
  const t = text.trim();
  if (t.startsWith('[') || t.startsWith('{')) return parseJson(t, file);
  return parseCsv(t, file);
}

function parseJson(text: string, file: string): FileReading[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new InvalidInputError(`metrics file ${file} is not valid JSON: ${(e as Error).message}`);
  }
  const list = Array.isArray(doc)
    ? doc
    : Array.isArray((doc as { readings?: unknown }).readings)
      ? (doc as { readings: unknown[] }).readings
      : undefined;
  if (!list) throw new InvalidInputError(`metrics file ${file}: expected a list of readings or {"readings": [...]}`);
  return list.map((r, i) => {
    const o = (r ?? {}) as Record<string, unknown>;
    const time = Date.parse(String(o.time));
    if (Number.isNaN(time)) throw new InvalidInputError(`metrics file ${file}: reading ${i + 1} has no valid "time" (ISO time)`);
    const sr = o.success_rate === undefined || o.success_rate === null ? undefined : Number(o.success_rate);
    const codes: Record<string, number> = {};
    if (o.decline_codes && typeof o.decline_codes === 'object')
      for (const [k, v] of Object.entries(o.decline_codes)) if (Number.isFinite(Number(v))) codes[k] = Number(v);
    return {
      time,
      ...(sr !== undefined && Number.isFinite(sr) ? { success_rate: sr } : {}),
      ...(typeof o.provider === 'string' ? { provider: o.provider } : {}),
      ...(Object.keys(codes).length ? { decline_codes: codes } : {}),
    };
  });
}

function parseCsv(text: string, file: string): FileReading[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '' && !l.startsWith('#'));
  const header = (lines.shift() ?? '').split(',').map((h) => h.trim().toLowerCase());
  const ti = header.indexOf('time');
  const si = header.indexOf('success_rate');
  const pi = header.indexOf('provider');
  if (ti < 0 || si < 0)
    throw new InvalidInputError(`metrics file ${file}: the CSV header must name time and success_rate (got "${header.join(',')}")`);
  return lines.map((line, i) => {
    const cells = line.split(',').map((c) => c.trim());
    const time = Date.parse(cells[ti] ?? '');
    if (Number.isNaN(time)) throw new InvalidInputError(`metrics file ${file}:${i + 2}: "${cells[ti]}" is not a time`);
    const sr = Number(cells[si]);
    return {
      time,
      ...(cells[si] !== '' && Number.isFinite(sr) ? { success_rate: sr } : {}),
      ...(pi >= 0 && cells[pi] ? { provider: cells[pi] } : {}),
    };
  });
}

export function summariseReadings(readings: FileReading[], windowMs: number, provider?: string): FileMetric {
  const mine = provider && readings.some((r) => r.provider) ? readings.filter((r) => r.provider === provider) : readings;
  if (mine.length === 0) return { success_rate: null, breakdown: {}, at: null, count: 0 };
  const newest = Math.max(...mine.map((r) => r.time));
  const inWindow = mine.filter((r) => r.time > newest - windowMs);
  const rates = inWindow.map((r) => r.success_rate).filter((v): v is number => v !== undefined);
  const breakdown: Record<string, number> = {};
  for (const r of inWindow) for (const [k, v] of Object.entries(r.decline_codes ?? {})) breakdown[k] = (breakdown[k] ?? 0) + v;
  return {
    success_rate: rates.length ? rates.reduce((a, b) => a + b, 0) / rates.length : null,
    breakdown,
    at: new Date(newest).toISOString(),
    count: inWindow.length,
  };
}

export async function readMetricsFile(file: string, windowMs: number, provider?: string): Promise<FileMetric> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new InvalidInputError(
      `cannot read metrics file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      'check metrics.path in the config',
    );
  }
  return summariseReadings(parseMetricsText(text, file), windowMs, provider);
}
