// bench:pipeline helper — the OMS service as `npm start` runs it: compiled JavaScript from dist/ in a
// process of its own, started with `npm start`'s node flags (serviceClient.ts), so the RSS the bench
// reads from /proc is the service's alone, without the bench, tsx or TypeScript sources. Plain
// JavaScript: it runs without tsx. The bench drives the HTTP API on the port this listens on, and asks
// over IPC for what the API does not expose (projections caught up, the scheduler's start).
// Input (argv[2], JSON): { env, source: 'dist' | 'src', stages?: { databaseName, adminUrl } }.
// `source: 'src'` runs the sources (through tsx: the caller adds it) where dist/ is stale, as in a test.
const { env, source, stages } = JSON.parse(process.argv[2] ?? '{}');
const root = new URL('../../', import.meta.url);
const load = (name) => import(new URL(source === 'src' ? `src/${name}.ts` : `dist/${name}.js`, root).href);

// BENCH_STAGES: the CPU meters patch the pg driver, so they start before the service opens its pool
// (they need tsx, which the caller then adds; the profile costs CPU and memory of its own).
const meters = stages ? (await import('../pipelineStages.ts')).stageMeters(stages.databaseName, stages.adminUrl) : null;
const [{ loadConfig }, { createLogger }, { createService }] = await Promise.all([load('config'), load('logger'), load('service')]);
const service = await createService(loadConfig(env), { logger: createLogger({ level: env.LOG_LEVEL ?? 'warn' }) });
await service.start();
const url = await service.app.listen({ host: '127.0.0.1', port: 0 });

// What the heap held at the highest RSS seen (every 50 ms once the scheduler runs); the peak itself
// is the kernel's (VmHWM), read by the bench.
let peak = null;
let sampler = null;
const sample = () => {
  const now = process.memoryUsage();
  if (!peak || now.rss > peak.rss) peak = now;
};

const requests = {
  caughtUp: ({ names, timeoutMs }) => service.projections.caughtUp(names, timeoutMs),
  policyCaughtUp: ({ timeoutMs }) => service.policyRunner.caughtUp(timeoutMs),
  // The feed has published (broker-acked and checkpointed) every event it handles that is readable now.
  feedCaughtUp: async ({ timeoutMs }) => {
    if (!service.feed) throw new Error('the service runs without a Kafka feed');
    for (const until = Date.now() + timeoutMs; ; await new Promise((r) => setTimeout(r, 250))) {
      const status = await service.feed.status();
      if (status.checkpoint !== null && status.lagMs === 0) return;
      if (Date.now() > until) throw new Error(`the feed is not caught up after ${timeoutMs} ms`);
    }
  },
  startScheduler: () => {
    sampler = setInterval(sample, 50);
    service.scheduler.start();
  },
  memoryAtPeak: () => {
    clearInterval(sampler);
    sample();
    return peak;
  },
  stagesBegin: () => meters?.begin(),
  stagesEnd: () => meters?.end(),
};

let closing = false;
const close = () => {
  if (closing) return;
  closing = true;
  // A client stuck reconnecting must not keep the process alive past the bench.
  setTimeout(() => process.exit(1), 30_000).unref();
  void service.stop().then(
    () => process.exit(0),
    (error) => (process.stderr.write(`service host: stop failed: ${error?.stack ?? error}\n`), process.exit(1)),
  );
};
process.on('disconnect', close);
process.on('message', (m) => {
  if (m.type === 'close') return close();
  const handler = requests[m.type];
  if (!handler) return process.send({ type: 'reply', id: m.id, error: `unknown request ${m.type}` });
  Promise.resolve()
    .then(() => handler(m))
    .then(
      (value) => process.send({ type: 'reply', id: m.id, value }),
      (error) => process.send({ type: 'reply', id: m.id, error: String(error?.stack ?? error) }),
    );
});
process.send({ type: 'listening', url });
