/**
 * Loading message templates (templates/messages/<name>.yaml): the user's
 * templates directory first, then the templates shipped with payctl.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidInputError } from '../errors.js';
import { readYamlSource } from '../source/yaml-file.js';
import { packagePath } from '../package-root.js';

export const MESSAGE_CHANNELS = ['statuspage', 'email', 'banner', 'social', 'slack'] as const;
export type MessageChannel = (typeof MESSAGE_CHANNELS)[number];

/** A social post may be at most this many characters after rendering. */
export const SOCIAL_LIMIT = 280;

export interface VarDeclaration {
  description?: string;
  default?: string | number | boolean;
  required?: boolean;
  /** A value used by `payctl template render` and validation when nothing is supplied. */
  sample?: string | number | boolean;
}

export type Variant = string | { title?: string; subject?: string; body?: string; status?: string };
/** A statuspage variant may set the public incident's status (e.g. resolved) instead of following the payctl incident. */
export const STATUSPAGE_STATUSES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;

export interface MessageTemplate {
  name: string;
  file: string;
  description: string;
  vars: Record<string, VarDeclaration>;
  variants: Partial<Record<MessageChannel, Variant>>;
  /** Shape problems (unknown keys, wrong types); empty when fine. */
  problems: string[];
}

/** templates/ shipped with payctl (in the package root, next to dist/ and src/). */
export function bundledTemplatesDir(): string {
  return packagePath('templates');
}

function searchDirs(templatesDir: string): string[] {
  const bundled = bundledTemplatesDir();
  return templatesDir === bundled ? [bundled] : [templatesDir, bundled];
}

const NAME = /^[a-z0-9][a-z0-9_-]*$/;

/** The file of a template: the user's copy if there is one, else payctl's; undefined when neither exists. */
export function findMessageTemplate(templatesDir: string, name: string): string | undefined {
  if (!NAME.test(name)) return undefined;
  for (const dir of searchDirs(templatesDir)) {
    const file = join(dir, 'messages', `${name}.yaml`);
    if (existsSync(file)) return file;
  }
  return undefined;
}

export function listMessageTemplateNames(templatesDir: string): string[] {
  const names = new Set<string>();
  for (const dir of searchDirs(templatesDir)) {
    const d = join(dir, 'messages');
    if (!existsSync(d)) continue;
    for (const f of readdirSync(d)) if (f.endsWith('.yaml') && NAME.test(f.slice(0, -5))) names.add(f.slice(0, -5));
  }
  return [...names].sort();
}

/** Load one template, or undefined when it does not exist. YAML syntax problems throw (exit 2, file:line:col). */
export function readMessageTemplate(templatesDir: string, name: string): MessageTemplate | undefined {
  const file = findMessageTemplate(templatesDir, name);
  if (!file) return undefined;
  const src = readYamlSource(file);
  if (src.problems.length)
    throw new InvalidInputError(`template ${name}: ${src.problems.map((p) => `${p.file}:${p.line}:${p.col}: ${p.message}`).join('; ')}`);
  const raw = (src.data ?? {}) as Record<string, unknown>;
  const problems: string[] = [];
  const t: MessageTemplate = { name, file, description: '', vars: {}, variants: {}, problems };
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push(`${file}: a template is a mapping of description, vars and channel variants`);
    return t;
  }
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'description') {
      if (typeof value === 'string') t.description = value;
      else problems.push(`${file}: description must be text`);
    } else if (key === 'vars') {
      if (!value || typeof value !== 'object' || Array.isArray(value)) {
        problems.push(`${file}: vars must map each variable name to { description, default, required }`);
        continue;
      }
      for (const [v, decl] of Object.entries(value as Record<string, unknown>)) {
        if (decl === null || typeof decl !== 'object' || Array.isArray(decl)) t.vars[v] = { default: decl as VarDeclaration['default'] };
        else t.vars[v] = decl as VarDeclaration;
      }
    } else if ((MESSAGE_CHANNELS as readonly string[]).includes(key)) {
      const ok =
        typeof value === 'string' ||
        (value &&
          typeof value === 'object' &&
          !Array.isArray(value) &&
          Object.entries(value).every(
            ([k, x]) =>
              (['title', 'subject', 'body'].includes(k) && typeof x === 'string') ||
              (k === 'status' && key === 'statuspage' && (STATUSPAGE_STATUSES as readonly unknown[]).includes(x)),
          ));
      if (ok) t.variants[key as MessageChannel] = value as Variant;
      else
        problems.push(
          `${file}: ${key} must be text or { title/subject, body${key === 'statuspage' ? `, status: ${STATUSPAGE_STATUSES.join('|')}` : ''} }`,
        );
    } else {
      problems.push(`${file}: unknown key "${key}" (expected description, vars, ${MESSAGE_CHANNELS.join(', ')})`);
    }
  }
  return t;
}

export function loadMessageTemplate(templatesDir: string, name: string): MessageTemplate {
  const t = readMessageTemplate(templatesDir, name);
  if (!t) {
    const known = listMessageTemplateNames(templatesDir);
    throw new InvalidInputError(
      `unknown message template "${name}"`,
      known.length ? `templates: ${known.join(', ')} (payctl template list)` : `add templates/messages/${name}.yaml`,
    );
  }
  if (t.problems.length) throw new InvalidInputError(`template ${name}: ${t.problems.join('; ')}`);
  return t;
}

/** Each text of a variant with where it lives, e.g. ["email.subject", "..."]. */
export function variantTexts(t: MessageTemplate): [string, string][] {
  const out: [string, string][] = [];
  for (const [ch, v] of Object.entries(t.variants)) {
    if (typeof v === 'string') out.push([ch, v]);
    else for (const [k, x] of Object.entries(v ?? {})) if (typeof x === 'string') out.push([`${ch}.${k}`, x]);
  }
  return out;
}

/** The declared defaults, with the supplied vars over them. */
export function mergeVars(t: MessageTemplate, supplied: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, d] of Object.entries(t.vars)) if (d.default !== undefined) out[k] = d.default;
  return { ...out, ...(supplied ?? {}) };
}
