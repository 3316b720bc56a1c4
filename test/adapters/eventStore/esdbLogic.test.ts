import { Metadata } from '@grpc/grpc-js';
import {
  CancelledError,
  DeadlineExceededError,
  ErrorType,
  NotLeaderError,
  StreamNotFoundError,
  TimeoutError,
  UnavailableError as ClientUnavailableError,
  WrongExpectedVersionError,
} from '@kurrent/kurrentdb-client';
import { parseConnectionString } from '@kurrent/kurrentdb-client/dist/Client/parseConnectionString.js';
import t from 'tap';
import { planAppend, runUntilFailure } from '../../../src/adapters/eventStore/esdbAppendPlan.js';
import { comparePositions, isAfter, laterCheckpoint, toCheckpoint, toPosition } from '../../../src/adapters/eventStore/esdbCheckpoint.js';
import { ESDB_SCHEMES, esdbConnectionStringProblem, supportsMultiStreamAppend } from '../../../src/adapters/eventStore/esdbConnection.js';
import { esdbErrorType, translateEsdbError } from '../../../src/adapters/eventStore/esdbErrors.js';
import { ConfigError, loadConfig } from '../../../src/config.js';
import type { Checkpoint } from '../../../src/domain/ports/eventStore.js';
import { ConcurrencyError, UnavailableError } from '../../../src/domain/shared/errors.js';

/**
 * The EventStoreDB adapter's pure decisions, run here without a server: checkpoint order (bug 3),
 * error translation (bug 6), connection-string schemes (bug 4), idempotency planning (bugs 1 and 7)
 * and stopping appendMany at the first failure (bug 5).
 */
const cp = (commit: number, prepare = commit) => toCheckpoint({ commit: BigInt(commit), prepare: BigInt(prepare) });
const tail = (from: number, ids: string[]) => ids.map((id, i) => ({ id, revision: from + i }));

t.test('checkpoints round-trip and never move backwards', async (t) => {
  t.equal(cp(12, 10), 'esdb:12:10');
  t.same(toPosition(cp(12, 10)), { commit: 12n, prepare: 10n });
  t.throws(() => toPosition('pg:1' as Checkpoint), /not an EventStoreDB checkpoint/);
  t.ok(comparePositions(toPosition(cp(5, 3)), toPosition(cp(5, 4))) < 0, 'prepare breaks a commit tie');
  t.ok(comparePositions(toPosition(cp(6, 1)), toPosition(cp(5, 4))) > 0, 'commit first');
  t.equal(comparePositions(toPosition(cp(5)), toPosition(cp(5))), 0);
  t.equal(laterCheckpoint(cp(100), cp(90)), cp(100), 'a stale checkpoint is ignored');
  t.equal(laterCheckpoint(cp(100), cp(110)), cp(110));
  t.equal(laterCheckpoint(null, cp(1)), cp(1));
  t.equal(laterCheckpoint(cp(7), null), cp(7));
  t.ok(isAfter(cp(2), null) && isAfter(cp(2), cp(1)));
  t.notOk(isAfter(cp(2), cp(2)), 'the checkpoint itself was delivered already');
  t.notOk(isAfter(cp(1), cp(2)));
});

t.test('connection strings: only schemes the installed client parses', async (t) => {
  for (const scheme of ESDB_SCHEMES) {
    for (const s of [scheme, `${scheme}+discover`]) {
      const value = `${s}://admin:changeit@node1:2113,node2:2113?tls=false`;
      t.equal(esdbConnectionStringProblem(value), null, `${s} accepted`);
      t.doesNotThrow(() => parseConnectionString(value), `and the client parses ${s}`);
    }
  }
  for (const bad of ['http://node:2113', 'ESDB://node:2113', 'esdb+dns://node:2113', 'node:2113', 'kurrentdb://?tls=false', 'kdb://a:1,,b:2']) {
    t.ok(esdbConnectionStringProblem(bad), `${bad} refused`);
  }
  t.throws(() => parseConnectionString('esdb+dns://node:2113'), 'the client refuses what we refuse');
  t.same(loadConfig({ ESDB_CONNECTION_STRING: 'kurrentdb://db:2113?tls=false' }).eventStore, { kind: 'esdb', connectionString: 'kurrentdb://db:2113?tls=false' });
  try {
    loadConfig({ ESDB_CONNECTION_STRING: 'kurrent-db://user:s3cret@db:2113' });
    t.fail('should refuse');
  } catch (error) {
    t.ok(error instanceof ConfigError);
    t.match((error as Error).message, /ESDB_CONNECTION_STRING: unsupported scheme/);
    t.notMatch((error as Error).message, /s3cret/, 'the value is never echoed');
  }
});

t.test('atomic multi-stream appends from KurrentDB 25.1, known from the version at connect', async (t) => {
  t.equal(supportsMultiStreamAppend('25.1.3'), true);
  t.equal(supportsMultiStreamAppend('25.1.0.1234-abc'), true);
  t.equal(supportsMultiStreamAppend('26.0.0'), true);
  t.equal(supportsMultiStreamAppend('25.0.1'), false);
  t.equal(supportsMultiStreamAppend('24.10.4'), false);
  t.equal(supportsMultiStreamAppend('unknown'), null, 'not reported: found out on the first try');
});

t.test('vendor errors: conflicts, transient failures, everything else unchanged', async (t) => {
  const wrong = new WrongExpectedVersionError(undefined, { streamName: 'order-1', current: 3n, expected: 1n });
  const c = translateEsdbError(wrong, 'order-1', 1);
  t.ok(c instanceof ConcurrencyError);
  t.match((c as ConcurrencyError).actual, '3');
  t.ok(translateEsdbError(wrong) instanceof ConcurrencyError, 'stream name from the error when not given');
  const notLeader = new NotLeaderError({
    code: 5,
    details: 'not leader',
    message: 'not leader',
    name: 'Error',
    metadata: Object.assign(new Metadata(), { getMap: () => ({ 'leader-endpoint-host': 'n2', 'leader-endpoint-port': '2113' }) }),
  });
  for (const transient of [new TimeoutError(), new DeadlineExceededError(), new ClientUnavailableError(), new CancelledError(), notLeader]) {
    const out = translateEsdbError(transient);
    t.ok(out instanceof UnavailableError, `${esdbErrorType(transient)} is transient`);
    t.equal((out as UnavailableError).dependency, 'eventstoredb');
  }
  const raw = Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14 });
  t.ok(translateEsdbError(raw) instanceof UnavailableError, 'an unconverted gRPC UNAVAILABLE too');
  const notFound = new StreamNotFoundError(undefined, 's');
  t.equal(translateEsdbError(notFound), notFound, 'others pass through');
  const plain = new Error('boom');
  t.equal(translateEsdbError(plain), plain);
  t.equal(translateEsdbError(Object.assign(new Error('x'), { code: 3 })) instanceof UnavailableError, false, 'INVALID_ARGUMENT is not transient');
  t.equal(esdbErrorType(plain), undefined);
  t.equal(esdbErrorType(wrong), ErrorType.WRONG_EXPECTED_VERSION);
});

t.test('idempotency planning from the stream tail', async (t) => {
  const [a, b, c, d] = ['a', 'b', 'c', 'd'];
  // bug 1: expected == current revision and the ids already there → noop or conflict, never an append
  t.same(planAppend(tail(0, [a, b, c]), 2, [a, b, c], 'no_stream'), { kind: 'noop', nextRevision: 2 });
  t.equal(planAppend(tail(0, [a, b, c]), 2, [c, d], 2).kind, 'conflict', 'a partial overlap at the current revision');
  t.equal(planAppend(tail(0, [a, b, c]), 2, [b, c], 2).kind, 'conflict', 'all there, but not after revision 2');
  t.same(planAppend(tail(0, [a, b, c]), 2, [b, c], 0), { kind: 'noop', nextRevision: 2 }, 'right where expected');
  t.same(planAppend(tail(0, [a, b, c]), 2, [d], 2), { kind: 'append', expected: 2, pinned: false });
  t.equal(planAppend(tail(0, [a, b, c]), 2, [d], 5).kind, 'conflict', 'ahead of the stream');
  t.equal(planAppend(tail(0, [a, b, c]), 2, [d], 0).kind, 'conflict', 'the place holds other events');
  t.same(planAppend(tail(50, [a, b]), 51, [d], 3), { kind: 'append', expected: 3, pinned: false }, 'older than the tail: the server checks');
  t.equal(planAppend(tail(0, [a, b, c]), 2, [c, a], 'any').kind, 'conflict', 'not consecutive');
  // bug 7: `any` is exact: ids found → noop; else pinned to the revision read
  t.same(planAppend(tail(0, [a, b, c]), 2, [b, c], 'any'), { kind: 'noop', nextRevision: 2 });
  t.same(planAppend(tail(0, [a, b, c]), 2, [d], 'any'), { kind: 'append', expected: 2, pinned: true });
  t.same(planAppend([], null, [d], 'any'), { kind: 'append', expected: 'no_stream', pinned: true });
  t.same(planAppend(tail(0, [a]), 0, [d], 'stream_exists'), { kind: 'append', expected: 0, pinned: true });
  t.same(planAppend(tail(0, [a]), 0, [a], 'stream_exists'), { kind: 'noop', nextRevision: 0 });
  t.same(planAppend([], null, [d], 'no_stream'), { kind: 'append', expected: 'no_stream', pinned: false });
  t.equal(planAppend(tail(0, [a]), 0, [d], 'no_stream').kind, 'conflict', 'the stream exists');
  t.equal(planAppend(tail(0, [a]), 0, [a], 'no_stream').kind, 'noop', 'but the same ids at 0 are a re-append');
  t.equal(planAppend([], null, [d], 0).kind, 'conflict');
  t.equal(planAppend([], null, [d], 'stream_exists').kind, 'conflict');
  t.same(planAppend(tail(0, ['A']), 0, ['a'], 'no_stream'), { kind: 'noop', nextRevision: 0 }, 'ids compare case-insensitively');
  // nothing to append: the expectation alone
  t.same(planAppend([], null, [], 'any'), { kind: 'noop', nextRevision: -1 });
  t.same(planAppend(tail(0, [a]), 0, [], 'any'), { kind: 'noop', nextRevision: 0 });
  t.same(planAppend(tail(0, [a]), 0, [], 0), { kind: 'noop', nextRevision: 0 });
});

t.test('runUntilFailure starts nothing after the first failure and throws it', async (t) => {
  const started: number[] = [];
  const err = new Error('second failed');
  await t.rejects(
    runUntilFailure([0, 1, 2, 3, 4, 5], 1, async (n) => {
      started.push(n);
      if (n === 1) throw err;
      return n;
    }),
    err,
  );
  t.same(started, [0, 1], 'nothing after the failed one started');
  const first = new Error('first');
  await t.rejects(
    runUntilFailure([0, 1, 2, 3], 2, async (n) => {
      if (n === 0) throw first;
      await new Promise((r) => setTimeout(r, 5));
      if (n === 1) throw new Error('later');
      return n;
    }),
    first,
    'the first failure wins',
  );
  t.same(await runUntilFailure([1, 2, 3], 8, async (n) => n * 2), [2, 4, 6], 'results in request order');
  t.same(await runUntilFailure([], 4, async (n: number) => n), []);
});
