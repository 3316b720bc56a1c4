import { PROJECTIONS, SCHEMA_ENV } from './context.js';

const projectionNames = () => PROJECTIONS.map((p) => p.name).join(', ');

export const COMMANDS = ['events', 'replay', 'rebuild', 'status', 'users'] as const;
export type CommandName = (typeof COMMANDS)[number];

const CONFIGURATION = `Configuration: the service's environment (see README "Configuration"), e.g.
  DATABASE_URL            PostgreSQL; unset: the embedded PGlite in OMS_DATA_DIR (default ./.oms-data)
  ${SCHEMA_ENV.padEnd(22)}  CLI only: the schema on DATABASE_URL to work in (default: the server's search_path)
  ESDB_CONNECTION_STRING  EventStoreDB as the event store
  KAFKA_BROKERS, KAFKA_TOPIC  the warehouse feed's Kafka (status)
  LOG_LEVEL               the CLI logs at warn unless this is set
With the embedded database, stop the service first: PGlite opens its data directory from one process.`;

export const MAIN_USAGE = `oms — operator commands for OMS

Usage:
  oms events <streamId> [--json]                   print a stream's events (buyer data shown as [sealed])
  oms replay --until <ISO time> [--schema <name>] [--json]
                                                   build the read models as they were at that time in a new schema
  oms rebuild <projection>                         empty a projection's tables and replay it from the first event
  oms status [--json] [--limit <n>] [--no-probe]   projection lag, warehouse feed, stores due for a pull
  oms users create --role <role> --email <address> [--tenant <id>] [--json]
                                                   a console user; prints a one-time password once
  oms help [<command>]                             this text, or a command's (also: oms <command> --help)

Projections: ${projectionNames()}

${CONFIGURATION}

Exit codes: 0 ok, 1 failure, 2 usage error.`;

export const COMMAND_USAGE: Record<CommandName, string> = {
  events: `Usage: oms events <streamId> [--json]

Print the events of one stream, oldest first: revision, time recorded, type, actor, and the data.
Sealed buyer data (an order's personalData) is never printed: it shows as [sealed].
Streams are named <kind>-<id>: order-…, store-…, authorization-…, mapping-…, product-…, pulls-…, tenant-….

  --json   a JSON array of { revision, recordedAt, type, id, actor, correlationId, causationId, data }

Exit 1 when the stream has no events.`,
  replay: `Usage: oms replay --until <ISO time> [--schema <name>] [--json]

Build the read models as they were at a point in time, next to the live ones:
  1. create the PostgreSQL schema (default replay_YYYYMMDD_HHMMSS of --until, UTC; it must not exist),
  2. apply the migrations there,
  3. feed every event recorded at or before --until, in the event store's global order, through every
     projection (${projectionNames()}) — the same definitions and batch SQL as the service,
  4. report row counts per read-model table and orders per hand-off state.
The replayed schema answers the service's own queries: SET search_path TO <schema>.
Progress goes to stderr (a bar on a terminal, plain lines otherwise); the report to stdout.

  --until <time>    ISO 8601 with a zone, e.g. 2026-11-23T14:30:00Z or 2026-11-23T15:30:00+01:00
  --schema <name>   the schema to create (letters, digits, _)
  --json            the report as JSON

Limits: "recordedAt" is when the event's transaction started (millisecond precision), so an event
recorded before --until but committed after it is included. Reading stops at the first event recorded
10 minutes after --until. Vault contents and pull timing (operational, not events) are not replayed.
The schema is left in place; drop it with DROP SCHEMA <name> CASCADE.`,
  rebuild: `Usage: oms rebuild <projection>

Empty the projection's tables and replay it from the first event, with the projection runner the
service uses, and wait until it has caught up (progress on stderr). A running service keeps serving
meanwhile (the read model is empty until the rebuild passes) and its own runner joins in safely.

Projections: ${projectionNames()}`,
  status: `Usage: oms status [--json] [--limit <n>] [--no-probe]

  - each projection: failed or ok, events behind (counted up to 100,000), lag (age of the oldest event
    not applied), events applied, time of the last event applied;
  - the warehouse feed: with KAFKA_BROKERS, the Kafka publisher's checkpoint, events behind, lag, lease
    holder and whether the broker answers; without, the number of messages in the HTTP feed;
  - the pull schedule: active stores, how many are due now or failing, the next run, and the stores due
    now or with failures (next run time, failures, last error).

  --json        the report as JSON
  --limit <n>   stores listed (default 20)
  --no-probe    do not contact the Kafka broker`,
  users: `Usage: oms users create --role <role> --email <address> [--tenant <id>] [--json]

Create a console user. A one-time password is generated and printed once (only its scrypt hash is
recorded); the user changes it after signing in. E-mail addresses are unique (case-insensitive).

  --role <role>      operator (every tenant), seller_admin or seller_viewer (one tenant: --tenant),
                     auditor (every tenant, read-only)
  --email <address>  the sign-in address
  --tenant <id>      the tenant of a seller role
  --json             { userId, email, role, tenantId, oneTimePassword } as JSON`,
};
