// Every shipped playbook passes its own drill (one file per playbook, so vitest runs them side by side).
import { it } from 'vitest';
import { expectDrillPasses } from '../helpers/drill.js';

it('payctl drill third-party-dependency passes every expectation', () => expectDrillPasses('third-party-dependency'), 120_000);
