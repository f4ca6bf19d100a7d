import { describe, expect, it } from 'vitest';
import { AdmissionGate, AdmissionTerms } from '../../lib/engine/store-guard/admission-gate.js';
import { DeadlineWatch } from '../../lib/engine/store-guard/deadline-watch.js';

// Patience long enough never to run out here: these tests are about order and dropping, not time.
const READ: AdmissionTerms = { direction: 'read', patienceMs: 60_000 };
const WRITE: AdmissionTerms = { direction: 'write', patienceMs: 60_000 };
const RELEASE: AdmissionTerms = { direction: 'write', patienceMs: 60_000, keepWhenOpen: true };
const FILL: AdmissionTerms = { direction: 'write', patienceMs: 60_000, background: true };

function gate(limit: number): AdmissionGate {
  return new AdmissionGate(limit, new DeadlineWatch(1_000));
}

// Waiting calls start a tick after slots free, together (in one socket write).
const tick = () => new Promise<void>((resolve) => process.nextTick(resolve));

describe('AdmissionGate', () => {
  it('lets `limit` calls in, then queues the rest and starts them in call order as slots free', async () => {
    const admission = gate(2);
    expect(admission.tryEnter()).toBe(true);
    expect(admission.tryEnter()).toBe(true);
    expect(admission.tryEnter()).toBe(false);
    const started: number[] = [];
    const waiting = [1, 2, 3].map((n) => admission.waitTurn(READ, async () => (started.push(n), n)));
    expect(admission.snapshot()).toMatchObject({ inFlight: 2, queued: 3 });
    admission.leave();
    expect(started).toEqual([]);
    await tick();
    expect(started).toEqual([1]);
    // Each freed slot goes to the next in line, not to a new call, even before it starts.
    admission.leave();
    expect(admission.tryEnter()).toBe(false);
    await tick();
    expect(started).toEqual([1, 2]);
    admission.leave();
    await tick();
    expect(started).toEqual([1, 2, 3]);
    expect(await Promise.all(waiting)).toEqual([1, 2, 3]);
    expect(admission.snapshot()).toMatchObject({ inFlight: 2, queued: 0 });
  });

  it("puts callers' calls ahead of waiting fills, and still starts one fill for every four of them", async () => {
    // A cold start leaves thousands of fills queued: a request arriving after it must not wait for all of them.
    const admission = gate(1);
    admission.tryEnter();
    const started: string[] = [];
    const send = (name: string) => async () => void started.push(name);
    const waiting = [
      ...[1, 2, 3].map((n) => admission.waitTurn(FILL, send(`fill ${n}`))),
      ...[1, 2, 3, 4, 5, 6].map((n) => admission.waitTurn(n % 2 ? READ : WRITE, send(`caller ${n}`))),
    ];
    for (let turn = 0; turn < 9; turn++) {
      admission.leave();
      await tick();
    }
    await Promise.all(waiting);
    expect(started).toEqual([
      ...['caller 1', 'caller 2', 'caller 3', 'caller 4', 'fill 1'],
      ...['caller 5', 'caller 6', 'fill 2', 'fill 3'],
    ]);
    // A new call still waits behind anything queued, fills included: order within each line holds.
    const fill = admission.waitTurn(FILL, send('fill 4'));
    expect(admission.tryEnter()).toBe(false);
    admission.leave();
    await fill;
    expect(started.at(-1)).toBe('fill 4');
  });

  it('an open read breaker drops the waiting reads; an open write breaker drops every waiting call but lease releases', async () => {
    const admission = gate(1);
    admission.tryEnter();
    const sent: string[] = [];
    const send = (name: string) => async () => (sent.push(name), name);
    const read = admission.waitTurn(READ, send('read'));
    const write = admission.waitTurn(WRITE, send('write'));
    const release = admission.waitTurn(RELEASE, send('release'));
    admission.drop('read');
    expect(await read).toBeUndefined();
    admission.drop('write');
    expect(await write).toBeUndefined();
    expect(admission.snapshot()).toMatchObject({ queued: 1, dropped: 2 });
    admission.leave();
    expect(await release).toBe('release');
    expect(sent).toEqual(['release']);
  });

  it('a probe enters whatever the bound, and its slot is given back like any other', () => {
    const admission = gate(1);
    admission.tryEnter();
    admission.enterNow();
    expect(admission.snapshot().inFlight).toBe(2);
    admission.leave();
    expect(admission.tryEnter()).toBe(false);
    admission.leave();
    expect(admission.tryEnter()).toBe(true);
  });
});
