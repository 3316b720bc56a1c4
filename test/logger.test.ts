import { Writable } from 'node:stream';
import t from 'tap';
import { createLogger } from '../src/logger.js';

t.test('secret- and buyer-bearing fields are redacted at any usual depth', async (t) => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  const log = createLogger({ level: 'info' }, sink);
  log.info({ refreshToken: 'RT-1', auth: { clientSecret: 'CS-2' }, a: { b: { accessToken: 'AT-3' } }, order: { shipTo: { name: 'Jane Buyer' } } }, 'x');
  log.info({ req: { headers: { authorization: 'Bearer K-4' } } }, 'y');
  const out = lines.join('');
  for (const secret of ['RT-1', 'CS-2', 'AT-3', 'Jane Buyer', 'K-4']) t.notMatch(out, secret, `${secret} not logged`);
  t.match(out, '[redacted]');
});
