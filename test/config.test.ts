import t from 'tap';
import { ConfigError, loadConfig } from '../src/config.js';

t.test('an empty environment gives the embedded defaults', async (t) => {
  const c = loadConfig({});
  t.same(c.database, { kind: 'pglite', dataDir: './.oms-data' });
  t.same(c.eventStore, { kind: 'sql' });
  t.equal(c.kafka, null, 'no Kafka: the HTTP feed only');
  t.equal(c.http.port, 3000);
  t.same(c.pull, { intervalMinutes: 15, windowHours: 48, sweepEveryHours: 24, defaultLookbackDays: 3, schedulerEnabled: true, concurrency: 4, claimLeaseMs: 120_000, maxBacklog: 400, backlogMaxWaitMs: 30_000 });
  t.equal(c.amazon.spApiUrl.EU, 'https://sellingpartnerapi-eu.amazon.com');
});

t.test('servers are chosen by their variables', async (t) => {
  const c = loadConfig({
    DATABASE_URL: 'postgres://u@db:5432/oms',
    ESDB_CONNECTION_STRING: 'esdb://esdb:2113?tls=false',
    KAFKA_BROKERS: 'k1:9092, k2:9092',
    KAFKA_TOPIC: 'custom.topic',
    PORT: '8080',
    PULL_INTERVAL_MINUTES: '',
  });
  t.same(c.database, { kind: 'postgres', url: 'postgres://u@db:5432/oms', poolSize: 10 });
  t.same(c.eventStore, { kind: 'esdb', connectionString: 'esdb://esdb:2113?tls=false' });
  t.same(c.kafka?.brokers, ['k1:9092', 'k2:9092']);
  t.equal(c.kafka?.topic, 'custom.topic');
  t.equal(c.http.port, 8080);
  t.equal(c.pull.intervalMinutes, 15, 'an empty value counts as unset');
  t.equal(loadConfig({ PULL_MAX_BACKLOG: '0' }).pull.maxBacklog, 0, 'back-pressure off');
});

t.test('every bad variable is named, and no value is echoed', async (t) => {
  const secret = 'not-base64-secret-value!!';
  const error = t.throws(() =>
    loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', OMS_MASTER_KEY: secret, KAFKA_BROKERS: 'nohostport', DEFAULT_LOOKBACK_DAYS: '9', PULL_MAX_BACKLOG: '-1', PULL_BACKLOG_MAX_WAIT_SECONDS: '0' }),
  ) as Error;
  t.type(error, ConfigError);
  for (const name of ['PORT', 'DATABASE_URL', 'OMS_MASTER_KEY', 'KAFKA_BROKERS', 'DEFAULT_LOOKBACK_DAYS', 'PULL_MAX_BACKLOG', 'PULL_BACKLOG_MAX_WAIT_SECONDS']) {
    t.match(error.message, name, `names ${name}`);
  }
  t.notMatch(error.message, secret, 'never prints the value');
});

t.test('production requires a master key', async (t) => {
  t.throws(() => loadConfig({ NODE_ENV: 'production' }), /OMS_MASTER_KEY: required/);
  const key = Buffer.alloc(32, 7).toString('base64');
  t.equal(loadConfig({ NODE_ENV: 'production', OMS_MASTER_KEY: key }).masterKey, key);
  t.throws(() => loadConfig({ OMS_MASTER_KEY: Buffer.alloc(16).toString('base64') }), /OMS_MASTER_KEY/);
});
