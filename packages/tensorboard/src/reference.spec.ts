// Byte-for-byte against tensorboardX 2.6.5: fixtures/*.tfevents were written by
// tools/tensorboard_reference.py (`fixtures` command) with a fake clock; fixtures/tensorboardx-calls.json
// lists the calls. Replaying them through EventEncoder must give the same bytes.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EventEncoder, FILE_VERSION } from './event-encoder.js';
import { readEvents, scalarSeries } from './read-events.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

interface Call {
  tag: string;
  value: number | 'nan' | 'inf' | '-inf';
  step: number;
  wallTime: number;
}
interface Fixture {
  start: number;
  purgeStep?: number;
  calls: Call[];
}
const calls = JSON.parse(readFileSync(join(fixtures, 'tensorboardx-calls.json'), 'utf8')) as { tensorboardX: string; scalars: Fixture; restart: Fixture };
const valueOf = (v: Call['value']) => ({ nan: NaN, inf: Infinity, '-inf': -Infinity } as Record<string, number>)[String(v)] ?? (v as number);

/** What EventEncoder writes for the fixture's calls (a purge step: tensorboardX's file version and START events at that step, as SummaryWriter(purge_step) writes them). */
function replay(f: Fixture): Uint8Array {
  const encoder = new EventEncoder(f.start);
  if (f.purgeStep !== undefined) encoder.event({ wallTime: f.start, step: f.purgeStep, fileVersion: FILE_VERSION }).sessionStart(f.purgeStep, f.start);
  for (const c of f.calls) encoder.scalar(c.tag, valueOf(c.value), c.step, c.wallTime);
  return encoder.take();
}

describe(`event files against tensorboardX ${calls.tensorboardX}`, () => {
  for (const [name, fixture] of [
    ['tensorboardx-scalars.tfevents', calls.scalars],
    ['tensorboardx-restart.tfevents', calls.restart],
  ] as const) {
    it(`${name}: EventEncoder writes the same bytes`, () => {
      const theirs = readFileSync(join(fixtures, name));
      const ours = replay(fixture);
      expect(Buffer.from(ours).toString('hex')).toBe(theirs.toString('hex'));
    });
  }

  it('reads tensorboardX files back: the file version first, every scalar as float32 at its step and time', () => {
    const events = readEvents(readFileSync(join(fixtures, 'tensorboardx-scalars.tfevents')), 'tensorboardx-scalars.tfevents');
    expect(events[0]).toEqual({ wallTime: calls.scalars.start, step: 0, fileVersion: 'brain.Event:2' });
    const series = scalarSeries(events);
    for (const c of calls.scalars.calls) {
      expect(series[c.tag]).toContainEqual({ step: c.step, value: Math.fround(valueOf(c.value)), wallTime: c.wallTime });
    }
    const restart = readEvents(readFileSync(join(fixtures, 'tensorboardx-restart.tfevents')));
    expect(restart[2]).toEqual({ wallTime: calls.restart.start, step: calls.restart.purgeStep, sessionLog: { status: 'start' } });
  });
});
