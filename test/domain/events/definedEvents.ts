import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';

/**
 * Every event type the code defines, found in the domain's modules rather than listed by hand: an
 * exported zod object of exactly { type: literal, schemaVersion: literal, data } is a stored event's
 * schema (the warehouse's inbound messages have more fields and are contracts of their own). A new
 * event schema is therefore covered by the frozen-example test the moment it is exported.
 */
export type DefinedEvent = Readonly<{ type: string; schemaVersion: number; schema: z.ZodType; module: string }>;
/** A discriminated union of event schemas (what consumers decode with), with the types it holds. */
export type EventUnion = Readonly<{ name: string; schema: z.ZodType; types: readonly string[] }>;

const domainDir = fileURLToPath(new URL('../../../src/domain/', import.meta.url));

const modules = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? modules(path) : name.endsWith('.ts') ? [path] : [];
  });

const eventTypeOf = (value: unknown): { type: string; schemaVersion: number } | null => {
  if (!(value instanceof z.ZodObject)) return null;
  const shape = value.shape as Record<string, unknown>;
  const keys = Object.keys(shape).sort().join(',');
  const { type, schemaVersion } = shape;
  if (keys !== 'data,schemaVersion,type' || !(type instanceof z.ZodLiteral) || !(schemaVersion instanceof z.ZodLiteral)) return null;
  return { type: String(type.value), schemaVersion: Number(schemaVersion.value) };
};

export const definedEvents = async (): Promise<{ events: Map<string, DefinedEvent>; unions: EventUnion[]; conflicts: string[] }> => {
  const events = new Map<string, DefinedEvent>();
  const unions: EventUnion[] = [];
  const conflicts: string[] = [];
  for (const file of modules(domainDir).sort()) {
    const module = file.slice(domainDir.length);
    const exported = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    for (const [name, value] of Object.entries(exported)) {
      const found = eventTypeOf(value);
      if (found) {
        const known = events.get(found.type);
        if (known && known.schema !== value) conflicts.push(`${found.type}: ${known.module} and ${module}`);
        else events.set(found.type, { ...found, schema: value as z.ZodType, module });
      }
      if (value instanceof z.ZodDiscriminatedUnion) {
        const types = (value.options as unknown[]).map(eventTypeOf);
        if (types.every((x) => x !== null)) unions.push({ name: `${module}:${name}`, schema: value as z.ZodType, types: types.map((x) => x!.type) });
      }
    }
  }
  return { events, unions, conflicts };
};
