import pg from 'pg';

/** The PostgreSQL server benchmarks run on: BENCH_DATABASE_URL, DATABASE_URL, or the local one. */
export const benchServerUrl = () =>
  process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Run `fn` against a fresh database on the bench server, dropped afterwards. */
export const withBenchDatabase = async (prefix: string, fn: (url: string) => Promise<void>) => {
  const adminUrl = benchServerUrl();
  const name = `${prefix}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  // Dropping the database ends any connection a library still holds; that is expected here.
  const ignoreTermination = (error: Error & { code?: string }) => {
    if (error.code !== '57P01') throw error;
  };
  process.on('uncaughtException', ignoreTermination);
  try {
    await fn(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
};

export const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export const printTable = (title: string, rows: readonly (readonly [string, number])[], unit = 'events/s') => {
  const width = Math.max(...rows.map(([name]) => name.length));
  console.log(`\n${title}`);
  for (const [name, value] of rows) console.log(`  ${name.padEnd(width)}  ${fmt(value).padStart(10)} ${unit}`);
};
