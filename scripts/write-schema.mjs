#!/usr/bin/env node
// Writes schema/playbook.schema.json from the zod definition in the built dist/.
// Run by `npm run build` after tsc.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { playbookJsonSchemaText } from '../dist/playbook/json-schema.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'schema', 'playbook.schema.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, playbookJsonSchemaText());
