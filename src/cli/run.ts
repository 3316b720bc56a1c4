import { parseArgs, type ParseArgsConfig } from 'node:util';
import { openContext, PROJECTIONS, type CliContext } from './context.js';
import { CliFailure, errorMessage, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, line, UsageError, type CliIo } from './io.js';
import { eventsCommand } from './commands/events.js';
import { parseSchema, parseUntil, replayCommand } from './commands/replay.js';
import { rebuildCommand } from './commands/rebuild.js';
import { statusCommand } from './commands/status.js';
import { createUserCommand, parseCreateUser } from './commands/users.js';
import { COMMAND_USAGE, COMMANDS, MAIN_USAGE, type CommandName } from './usage.js';

export type { CliIo, CliOutput } from './io.js';

const HELP = { help: { type: 'boolean', short: 'h' } } as const;

const OPTIONS = {
  events: { ...HELP, json: { type: 'boolean' } },
  replay: { ...HELP, until: { type: 'string' }, schema: { type: 'string' }, json: { type: 'boolean' } },
  rebuild: { ...HELP },
  status: { ...HELP, json: { type: 'boolean' }, limit: { type: 'string' }, 'no-probe': { type: 'boolean' } },
  users: { ...HELP, role: { type: 'string' }, email: { type: 'string' }, tenant: { type: 'string' }, json: { type: 'boolean' } },
} as const satisfies Record<CommandName, ParseArgsConfig['options']>;

const isCommand = (s: string | undefined): s is CommandName => (COMMANDS as readonly string[]).includes(s ?? '');

type Parsed = { values: Record<string, string | boolean | undefined>; positionals: string[] };

const parse = (command: CommandName, args: string[]): Parsed => {
  try {
    const { values, positionals } = parseArgs({ args, options: OPTIONS[command], allowPositionals: true, strict: true });
    return { values: values as Parsed['values'], positionals };
  } catch (error) {
    // node:util's messages are clear ("Unknown option '--x'"); drop its hint about '--' positionals.
    throw new UsageError(errorMessage(error).replace(/\. To specify a positional argument.*$/s, ''), command);
  }
};

const onePositional = (command: CommandName, positionals: string[], what: string): string => {
  if (positionals.length === 0) throw new UsageError(`${command} needs ${what}`, command);
  if (positionals.length > 1) throw new UsageError(`${command} takes one ${what}, got ${positionals.length} arguments`, command);
  return positionals[0]!;
};

const noPositionals = (command: CommandName, positionals: string[]) => {
  if (positionals.length) throw new UsageError(`${command} takes no arguments (got ${positionals.map((p) => JSON.stringify(p)).join(' ')})`, command);
};

/** A command, checked and ready to run against the configured database. */
type Prepared = (ctx: CliContext, io: CliIo) => Promise<void>;

/** Parse the command line completely (usage errors come before any connection); null = help was printed. */
const prepare = (argv: readonly string[], io: CliIo): Prepared | null => {
  const [first, ...rest] = argv;
  if (first === undefined) {
    line(io.stderr, MAIN_USAGE);
    throw new UsageError('a command is needed');
  }
  if (first === '--help' || first === '-h' || first === 'help') {
    const topic = first === 'help' ? rest[0] : undefined;
    if (topic !== undefined && !isCommand(topic)) throw new UsageError(`no such command: ${topic}`);
    line(io.stdout, topic ? COMMAND_USAGE[topic] : MAIN_USAGE);
    return null;
  }
  if (!isCommand(first)) throw new UsageError(first.startsWith('-') ? `unknown option ${first} (options follow the command)` : `no such command: ${first}`);
  const command = first;
  const { values, positionals } = parse(command, rest);
  if (values.help) {
    line(io.stdout, COMMAND_USAGE[command]);
    return null;
  }
  switch (command) {
    case 'events': {
      const streamId = onePositional(command, positionals, 'a stream id (e.g. order-<id>)');
      const json = values.json === true;
      return (ctx, io) => eventsCommand(ctx, io, streamId, json);
    }
    case 'replay': {
      noPositionals(command, positionals);
      const v = values as { until?: string; schema?: string; json?: boolean };
      const until = parseUntil(v.until);
      const schema = parseSchema(v.schema, until);
      return (ctx, io) => replayCommand(ctx, io, { until, schema, json: v.json === true });
    }
    case 'rebuild': {
      const name = onePositional(command, positionals, 'a projection name');
      if (!PROJECTIONS.some((p) => p.name === name)) {
        throw new UsageError(`no such projection: ${name} (one of ${PROJECTIONS.map((p) => p.name).join(', ')})`, command);
      }
      return (ctx, io) => rebuildCommand(ctx, io, name);
    }
    case 'status': {
      noPositionals(command, positionals);
      const v = values as { json?: boolean; limit?: string; 'no-probe'?: boolean };
      const limit = v.limit === undefined ? 20 : Number(v.limit);
      if (!Number.isInteger(limit) || limit < 0 || limit > 10_000) throw new UsageError(`--limit: expected a whole number 0–10000, got ${JSON.stringify(v.limit)}`, command);
      return (ctx, io) => statusCommand(ctx, io, { json: v.json === true, limit, probeBroker: v['no-probe'] !== true });
    }
    case 'users': {
      const action = onePositional(command, positionals, 'an action (create)');
      if (action !== 'create') throw new UsageError(`no such action: users ${action} (create)`, command);
      const args = parseCreateUser(values as { role?: string; email?: string; tenant?: string; json?: boolean });
      return (ctx, io) => createUserCommand(ctx, io, args);
    }
  }
};

/**
 * The CLI: parse `argv` (without node and the script), run the command, return the exit code —
 * 0 ok, 1 failure, 2 usage error. Never exits the process and never reads process.env: the caller
 * passes the environment and the streams (src/cli/main.ts; tests run it in-process).
 */
export const run = async (argv: readonly string[], io: CliIo): Promise<number> => {
  let ctx: CliContext | null = null;
  try {
    const prepared = prepare(argv, io);
    if (!prepared) return EXIT_OK;
    ctx = await openContext(io);
    await prepared(ctx, io);
    return EXIT_OK;
  } catch (error) {
    if (error instanceof UsageError) {
      line(io.stderr, `oms: ${error.message}`);
      line(io.stderr, `Run 'oms ${error.command ? `${error.command} ` : ''}--help' for usage.`);
      return EXIT_USAGE;
    }
    if (error instanceof CliFailure) line(io.stderr, `oms: ${error.message}`);
    else line(io.stderr, `oms: failed: ${errorMessage(error)}`);
    return EXIT_FAILURE;
  } finally {
    await ctx?.close();
  }
};
