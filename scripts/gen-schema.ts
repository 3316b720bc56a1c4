// Writes docs/warehouse-message.schema.json (the WMS message contract for consumers) from the zod
// schema, so the published document can never drift from what the OMS validates and sends.
//   node --import tsx scripts/gen-schema.ts          write the file
//   node --import tsx scripts/gen-schema.ts --check  exit 1 when the committed file is stale
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { feedMessageJsonSchema } from '../src/domain/warehouse/feedMessage.js';

const target = fileURLToPath(new URL('../docs/warehouse-message.schema.json', import.meta.url));
const text = `${JSON.stringify(feedMessageJsonSchema(), null, 2)}\n`;

if (process.argv.includes('--check')) {
  const committed = await readFile(target, 'utf8').catch(() => null);
  if (committed !== text) {
    process.stderr.write(`${target} is out of date: run node --import tsx scripts/gen-schema.ts\n`);
    process.exit(1);
  }
  process.stdout.write(`${target} is up to date\n`);
} else {
  await writeFile(target, text);
  process.stdout.write(`wrote ${target}\n`);
}
