import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { machineIdleSampler } from '../../../../workers/runner/machine-idle.ts';

describe('machineIdleSampler', () => {
  it("gives the CPU's idle share, measured again only after 100 ms", () => {
    let clock = 1_000;
    const idle = machineIdleSampler(() => clock);
    assert.equal(idle(), 1, 'no window yet: the first answer assumes room');
    clock += 150;
    // Busy the CPU a little so the counters move; whatever the machine does, the share is in [0, 1].
    const until = Date.now() + 30;
    while (Date.now() < until);
    const share = idle();
    assert.ok(share >= 0 && share <= 1, `share ${share}`);
    clock += 50;
    assert.equal(idle(), share, 'within 100 ms of the last reading, the same answer');
  });
});
