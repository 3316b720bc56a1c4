import t from 'tap';
import { FAILING_AFTER, syncHealth } from '../../../src/domain/pull/health.js';
import { BACKOFF_CAP_INTERVALS, retryDelayMs } from '../../../src/domain/pull/window.js';

const MIN = 60_000;

t.test('ok, retrying, failing: by failures in a row; the reason only while not ok', async (t) => {
  const since = '2026-12-01T10:00:00.000Z';
  t.same(syncHealth({ failures: 0, lastError: 'server_error', failingSince: null }), { state: 'ok', reason: null, failingSince: null }, 'an old error after a success is history');
  t.same(syncHealth({ failures: 1, lastError: 'rate_limited', failingSince: since }), { state: 'retrying', reason: 'rate_limited', failingSince: since });
  t.same(syncHealth({ failures: FAILING_AFTER - 1, lastError: 'timeout', failingSince: since }).state, 'retrying');
  t.same(syncHealth({ failures: FAILING_AFTER, lastError: 'unauthorized', failingSince: since }), { state: 'failing', reason: 'unauthorized', failingSince: since });
});

t.test('back-off: 1, 2, 4 … minutes, capped at four pull intervals', async (t) => {
  t.same([1, 2, 3, 4, 5, 6, 7].map((n) => retryDelayMs(n, 15) / MIN), [1, 2, 4, 8, 16, 32, 60]);
  t.equal(retryDelayMs(500, 15), BACKOFF_CAP_INTERVALS * 15 * MIN, 'never beyond the cap, however many failures');
  t.equal(retryDelayMs(0, 15), MIN, 'the first retry after one minute');
  t.equal(retryDelayMs(3, 1), 4 * MIN, 'a 1-minute schedule caps at 4 minutes');
});
