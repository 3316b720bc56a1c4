import t from 'tap';
import { nextPullWindow } from '../../../src/domain/pull/window.js';

const HOUR = 3_600_000;
const at = (ms: number) => new Date(ms).toISOString();
const NOW = Date.parse('2026-12-03T12:00:00.000Z');
const base = { now: at(NOW), connectedAt: at(NOW - 30 * 24 * HOUR), initialLookbackDays: 3, windowHours: 48, sweepEveryHours: 24 };

t.test('before the first success: the look-back by creation, counted as a sweep', async (t) => {
  t.same(nextPullWindow({ ...base, connectedAt: at(NOW - HOUR), watermark: null }), { kind: 'created', from: at(NOW - HOUR - 72 * HOUR), to: at(NOW), sweep: true });
});

t.test('afterwards: updates since the watermark less 5 minutes, not a fixed 48 hours', async (t) => {
  const watermark = at(NOW - 15 * 60_000);
  t.same(nextPullWindow({ ...base, watermark, lastSweepAt: at(NOW - 2 * HOUR) }), { kind: 'updated', from: at(NOW - 20 * 60_000), to: at(NOW), sweep: false });
  t.same(nextPullWindow({ ...base, watermark, lastSweepAt: at(NOW - 2 * HOUR), overlapMinutes: 1 }).from, at(NOW - 16 * 60_000), 'overlap is a parameter');
  t.equal(nextPullWindow({ ...base, watermark: at(NOW - 72 * HOUR), lastSweepAt: at(NOW - 2 * HOUR) }).from, at(NOW - 72 * HOUR - 5 * 60_000), 'after downtime: everything since the watermark');
});

t.test('a sweep re-reads the last 48 hours once its interval has passed (or if there never was one)', async (t) => {
  const watermark = at(NOW - 15 * 60_000);
  t.same(nextPullWindow({ ...base, watermark, lastSweepAt: at(NOW - 24 * HOUR) }), { kind: 'updated', from: at(NOW - 48 * HOUR), to: at(NOW), sweep: true });
  t.equal(nextPullWindow({ ...base, watermark, lastSweepAt: null }).sweep, true);
  t.equal(nextPullWindow({ ...base, watermark, lastSweepAt: at(NOW - 23 * HOUR) }).sweep, false);
  t.equal(nextPullWindow({ ...base, watermark: at(NOW - 72 * HOUR), lastSweepAt: null }).from, at(NOW - 72 * HOUR - 5 * 60_000), 'a sweep after downtime still starts at the watermark');
  t.equal(nextPullWindow({ now: base.now, connectedAt: base.connectedAt, initialLookbackDays: 3, windowHours: 48, watermark, lastSweepAt: at(NOW - 60_000) }).sweep, true, 'sweepEveryHours 0 (default): every pull is a sweep');
});
