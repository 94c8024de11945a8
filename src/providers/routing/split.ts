/**
 * Shares of traffic: a split lists providers with the percent of payments each
 * receives (whole percents summing to 100, largest first). A routing that
 * sends everything to one provider is the split [{provider, percent: 100}].
 */
export interface Share {
  provider: string;
  percent: number;
}

export type Split = Share[];

/** Everything to one provider. */
export function whole(provider: string): Split {
  return [{ provider, percent: 100 }];
}

/**
 * `share` percent to `to`, the rest to `rest` (the provider that had the most
 * traffic before, other than `to`). 100 (or no other provider) sends everything to `to`.
 */
export function splitFor(to: string, share: number, rest: string | undefined): Split {
  if (share >= 100 || !rest || rest === to) return whole(to);
  if (share <= 0) return whole(rest);
  return normalizeSplit([
    { provider: to, percent: share },
    { provider: rest, percent: 100 - share },
  ]);
}

/** Zero shares dropped, one entry per provider, largest first (ties by name). */
export function normalizeSplit(split: Split): Split {
  const by = new Map<string, number>();
  for (const s of split) if (s.percent > 0) by.set(s.provider, (by.get(s.provider) ?? 0) + s.percent);
  return [...by.entries()]
    .map(([provider, percent]) => ({ provider, percent }))
    .sort((a, b) => b.percent - a.percent || a.provider.localeCompare(b.provider));
}

export function sameSplit(a: Split, b: Split): boolean {
  const x = normalizeSplit(a);
  const y = normalizeSplit(b);
  return x.length === y.length && x.every((s, i) => s.provider === y[i]!.provider && s.percent === y[i]!.percent);
}

/** The percent a provider receives in a split (0 when absent). */
export function shareOf(split: Split, provider: string): number {
  return split.find((s) => s.provider === provider)?.percent ?? 0;
}

/** The provider receiving the most traffic. */
export function leader(split: Split): string | undefined {
  return normalizeSplit(split)[0]?.provider;
}

/** "adyen 90% · stripe 10%", or "adyen" for everything to one. */
export function describeSplit(split: Split): string {
  const n = normalizeSplit(split);
  if (n.length === 0) return '(nobody)';
  if (n.length === 1 && n[0]!.percent === 100) return n[0]!.provider;
  return n.map((s) => `${s.provider} ${s.percent}%`).join(' · ');
}

/** "adyen=90,stripe=10": one argument for a command, parsed back by splitFromValue. */
export function splitArgument(split: Split): string {
  return normalizeSplit(split)
    .map((s) => `${s.provider}=${s.percent}`)
    .join(',');
}

/**
 * A split read back from a routing service or command: {"adyen": 90, "stripe": 10},
 * [{provider|connector|name, percent|share|split}], or "adyen=90,stripe=10".
 * Names go through `name` (connector → provider). Undefined when it is not a split.
 */
export function splitFromValue(value: unknown, name: (connector: string, id?: string) => string = (c) => c): Split | undefined {
  if (typeof value === 'string') {
    const t = value.trim();
    if (t.startsWith('{') || t.startsWith('[')) {
      try {
        return splitFromValue(JSON.parse(t), name);
      } catch {
        return undefined;
      }
    }
    if (!/^[^=,\s]+=\d+(,[^=,\s]+=\d+)*$/.test(t)) return undefined;
    return checked(
      t.split(',').map((p) => {
        const [k, v] = p.split('=') as [string, string];
        return { provider: name(k), percent: Number(v) };
      }),
    );
  }
  if (Array.isArray(value)) {
    const out: Split = [];
    for (const v of value) {
      if (!v || typeof v !== 'object') return undefined;
      const o = v as Record<string, unknown>;
      const output = (o.output && typeof o.output === 'object' ? o.output : o) as Record<string, unknown>;
      const who = [output.connector, output.provider, output.name].find((x) => typeof x === 'string') as string | undefined;
      const pct = [o.percent, o.share, o.split].find((x) => typeof x === 'number') as number | undefined;
      if (!who || pct === undefined) return undefined;
      out.push({
        provider: name(who, typeof output.merchant_connector_id === 'string' ? output.merchant_connector_id : undefined),
        percent: pct,
      });
    }
    return checked(out);
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (!entries.every(([, v]) => typeof v === 'number')) return undefined;
    return checked(entries.map(([k, v]) => ({ provider: name(k), percent: v as number })));
  }
  return undefined;
}

function checked(split: Split): Split | undefined {
  if (split.length === 0 || split.some((s) => !Number.isFinite(s.percent) || s.percent < 0)) return undefined;
  const total = split.reduce((a, s) => a + s.percent, 0);
  return Math.round(total) === 100 ? normalizeSplit(split) : undefined;
}
