// The status page says stripe recovered while a fifth of its payments still fail (sandbox fault
// stripe:early_recovery): the canary halts at its first stage and rolls back, customers stay above
// the threshold meanwhile, and the incident stays open (one file per playbook, like the other drills).
import { it } from 'vitest';
import { expectCanaryHaltsAtFirstStage } from '../helpers/drill.js';

it(
  'payctl drill datacenter-outage --scenario canary-halts: the canary halts and rolls back while stripe still fails',
  () => expectCanaryHaltsAtFirstStage('datacenter-outage'),
  120_000,
);
