// Writes the published JSON Schemas of the WMS contract from the zod schemas, so the documents can
// never drift from what the OMS validates and sends:
//   docs/warehouse-message.schema.json  OMS → WMS (oms.fulfillment-orders.v1, GET /v1/warehouse/feed)
//   docs/warehouse-event.schema.json    WMS → OMS (oms.warehouse-events.v1, POST /v1/warehouse/events)
//   node --import tsx scripts/gen-schema.ts          write the files
//   node --import tsx scripts/gen-schema.ts --check  exit 1 when a committed file is stale
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { feedMessageJsonSchema } from '../src/domain/warehouse/feedMessage.js';
import { warehouseEventJsonSchema } from '../src/domain/warehouse/warehouseEventMessage.js';

const documents: [string, () => Record<string, unknown>][] = [
  ['../docs/warehouse-message.schema.json', feedMessageJsonSchema],
  ['../docs/warehouse-event.schema.json', warehouseEventJsonSchema],
];

let stale = false;
for (const [file, schema] of documents) {
  const target = fileURLToPath(new URL(file, import.meta.url));
  const text = `${JSON.stringify(schema(), null, 2)}\n`;
  if (process.argv.includes('--check')) {
    const committed = await readFile(target, 'utf8').catch(() => null);
    if (committed !== text) {
      process.stderr.write(`${target} is out of date: run node --import tsx scripts/gen-schema.ts\n`);
      stale = true;
    } else {
      process.stdout.write(`${target} is up to date\n`);
    }
  } else {
    await writeFile(target, text);
    process.stdout.write(`wrote ${target}\n`);
  }
}
if (stale) process.exit(1);
