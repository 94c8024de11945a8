/**
 * Inputs payctl can infer from a health check, offered to the responder
 * pre-filled (inputs.ts confirms them in one question) or, unattended, taken
 * as answers: an input named `provider` gets the failing provider (the one the
 * matched trigger names, else the first unhealthy one in routing order), an
 * input named `backup` the first healthy backup in routing order other than it.
 * Only inputs of type provider are inferred.
 */
import type { Config } from '../config/schema.js';
import type { Playbook } from '../playbook/schema.js';
import type { HealthSnapshot } from '../providers/health.js';
import { inputType } from './inputs.js';

export interface SuggestedInput {
  value: string;
  /** Why payctl suggests it: "major_outage", "operational, first backup in routing order". */
  why: string;
}

export type SuggestedInputs = Record<string, SuggestedInput>;

function routingOrder(config: Config): string[] {
  const names = Object.keys(config.providers);
  if (!config.routing) return names;
  const order = [config.routing.primary, ...config.routing.backups];
  return [...order, ...names.filter((n) => !order.includes(n))];
}

export function inferInputs(config: Config, snap: HealthSnapshot, playbook: Playbook, failing?: string): SuggestedInputs {
  const out: SuggestedInputs = {};
  const inputs = playbook.inputs ?? {};
  const health = (name: string) => snap.providers.find((p) => p.provider === name);
  const takes = (name: string) => inputs[name] !== undefined && inputType(inputs[name]!) === 'provider';
  const down =
    failing ??
    routingOrder(config).find((n) => {
      const h = health(n);
      return h?.enabled && !h.healthy && !h.error;
    });
  if (takes('provider') && down) {
    const h = health(down);
    out.provider = { value: down, why: h ? h.status : 'matched the trigger' };
  }
  if (takes('backup')) {
    const away = out.provider?.value ?? down ?? config.routing?.primary;
    const backups = (config.routing?.backups ?? []).filter((b) => b !== away);
    const healthy = backups.find((b) => health(b)?.healthy && health(b)?.enabled && !health(b)?.error);
    if (healthy)
      out.backup = {
        value: healthy,
        why: `${health(healthy)!.status}, ${backups[0] === healthy ? 'first' : 'first healthy'} backup in routing order`,
      };
  }
  return out;
}
