// Every shipped playbook passes its own drill (one file per playbook, so vitest runs them side by side).
import { it } from 'vitest';
import { expectDrillPasses } from '../helpers/drill.js';

it('payctl drill peak-traffic passes every expectation', () => expectDrillPasses('peak-traffic'), 120_000);
