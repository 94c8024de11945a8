/**
 * The JSON Schema of the playbook format, generated from the zod definition
 * (never written by hand). scripts/write-schema.mjs writes it to
 * schema/playbook.schema.json at build time; editors use it through the
 * `# yaml-language-server: $schema=…` line at the top of each playbook.
 */
import { z } from 'zod';
import { Playbook } from './schema.js';

export const PLAYBOOK_SCHEMA_ID = 'https://payctl.dev/schema/playbook.schema.json';

export function playbookJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(Playbook, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  const { $schema, ...rest } = schema;
  return {
    $schema,
    $id: PLAYBOOK_SCHEMA_ID,
    title: 'payctl playbook',
    description: 'One payment-outage scenario: inputs, then steps. Reference: docs/playbooks.md',
    ...rest,
  };
}

export function playbookJsonSchemaText(): string {
  return JSON.stringify(playbookJsonSchema(), null, 2) + '\n';
}
