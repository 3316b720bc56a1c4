// The console's assets: built by esbuild when missing, served under / with a CSP that allows only
// the page's own script, style and API; the API keeps its own strict headers.
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ensureConsoleBuilt } from '../../src/console/build.js';
import { startTestService } from '../support/service.js';

t.test('built when missing, served under /', async (t) => {
  const dir = join(await mkdtemp(join(tmpdir(), 'oms-console-serve-')), 'console');
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  t.equal(await ensureConsoleBuilt(dir), dir);
  t.same((await readdir(dir)).sort(), ['app.css', 'app.js', 'index.html']);
  const built = (await stat(join(dir, 'app.js'))).mtimeMs;
  await ensureConsoleBuilt(dir);
  t.equal((await stat(join(dir, 'app.js'))).mtimeMs, built, 'not rebuilt when present');

  const svc = await startTestService(t, {}, { consoleDir: dir });
  const index = await fetch(`${svc.url}/`);
  t.equal(index.status, 200);
  t.match(index.headers.get('content-type'), /^text\/html/);
  const csp = index.headers.get('content-security-policy') ?? '';
  t.match(csp, /default-src 'none'/);
  t.match(csp, /script-src 'self'/);
  t.match(csp, /connect-src 'self'/);
  t.match(csp, /frame-ancestors 'none'/);
  t.notMatch(csp, /unsafe-inline|unsafe-eval/);
  t.match(await index.text(), /<script type="module" src="\/app\.js"><\/script>/);
  const js = await fetch(`${svc.url}/app.js`);
  t.match(js.headers.get('content-type'), /^text\/javascript/);
  t.ok((await js.text()).length > 1000, 'the bundle (Preact included)');
  t.match((await fetch(`${svc.url}/app.css`)).headers.get('content-type'), /^text\/css/);
  t.equal((await fetch(`${svc.url}/../package.json`)).status, 404, 'nothing else of the file system');
  const api = await fetch(`${svc.url}/v1/stores`);
  t.equal(api.status, 401);
  t.equal(api.headers.get('content-security-policy'), "default-src 'none'; frame-ancestors 'none'", 'the API keeps its CSP');
});

t.test('without a console directory only the API is served', async (t) => {
  const svc = await startTestService(t);
  t.equal((await fetch(`${svc.url}/`)).status, 404);
});
