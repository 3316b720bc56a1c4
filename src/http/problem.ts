import { readFile } from 'node:fs/promises';
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { InvalidCursorError } from '../domain/ports/cursors.js';
import { ConcurrencyError, DomainError, NotFoundError, UnavailableError } from '../domain/shared/errors.js';
import { domainErrorStatuses } from './errorStatuses.js';

/**
 * problem+json (RFC 9457) for every error. 4xx explain what is wrong; 5xx never reveal internals
 * (messages can carry SQL, hosts or data). Domain codes map to statuses here, in one table: the
 * domain's own codes from errorStatuses.ts, plus what route groups register.
 */
const STATUS_BY_CODE = new Map<string, number>([
  ['not_found', 404],
  ['concurrency_conflict', 409],
  ['invalid_cursor', 400],
  ...Object.entries(domainErrorStatuses),
]);

/** Register more domain codes (per route group) with their HTTP status; unknown codes answer 422. */
export const registerErrorStatuses = (entries: Readonly<Record<string, number>>) => {
  for (const [code, status] of Object.entries(entries)) STATUS_BY_CODE.set(code, status);
};

/** An HTTP-level refusal (authentication, authorization, rate limit) with a stable code. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    /** Response headers the refusal needs (e.g. `retry-after`). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}


/**
 * Most issues a problem lists: a garbage file can have one per cell, and echoing them all turned a
 * 300 KB upload into a 19 MB answer. The first ones are listed, `totalIssues` says how many there were.
 */
export const MAX_LISTED_ISSUES = 100;

const cappedIssues = (issues: readonly unknown[]) => ({ issues: issues.slice(0, MAX_LISTED_ISSUES), totalIssues: issues.length });

/** A domain refusal's details, with an `issues` list (the importers' per-row problems) capped. */
const cappedDetails = (details: Readonly<Record<string, unknown>> | undefined) =>
  details && Array.isArray(details.issues) ? { ...details, ...cappedIssues(details.issues) } : (details ?? {});

/**
 * Where a code's documentation lives: `type` is this relative URI (RFC 9457 §3.1.1), one page per
 * code in docs/errors/<code>.md; `title` is always the HTTP status phrase, `code` the stable code.
 * Codes passed through from Fastify itself are not ours to document: they keep `about:blank`.
 */
export const problemType = (code: string) => `/problems/${code}`;

const ERROR_PAGES = new URL('../../docs/errors/', import.meta.url);

/** A code's documentation page, or null when there is none (the name is checked before any path is built). */
export const problemPage = async (code: string): Promise<string | null> => {
  if (!/^[a-z][a-z0-9_]{0,63}$/.test(code)) return null;
  return readFile(new URL(`${code}.md`, ERROR_PAGES), 'utf8').catch(() => null);
};

type ProblemFields = { code?: string; detail?: string } & Record<string, unknown>;

const send = (reply: FastifyReply, status: number, extra: ProblemFields = {}, documented = true) =>
  reply
    .code(status)
    .type('application/problem+json')
    .send({ type: documented && extra.code ? problemType(extra.code) : 'about:blank', title: STATUS_CODES[status] ?? 'Error', status, ...extra });

export const problemErrorHandler = (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
  if (error instanceof HttpError) {
    if (error.statusCode === 401) reply.header('www-authenticate', 'Bearer');
    reply.headers(error.headers);
    return send(reply, error.statusCode, { code: error.code, detail: error.message });
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const issues = error.validation.slice(0, MAX_LISTED_ISSUES).map((v) => ({
      path: `${error.validationContext ?? 'body'}${v.instancePath.replaceAll('/', '.')}`,
      message: v.message,
      code: (v.params.issue as { code?: string } | undefined)?.code,
    }));
    return send(reply, 400, { detail: 'The request is not valid', issues, totalIssues: error.validation.length });
  }
  if (error instanceof NotFoundError) return send(reply, 404, { code: error.code, detail: error.message });
  // Every list's cursor, whichever adapter read it (ports/cursors.ts).
  if (error instanceof InvalidCursorError) return send(reply, 400, { code: 'invalid_cursor', detail: error.message });
  if (error instanceof DomainError) {
    const status = STATUS_BY_CODE.get(error.code) ?? 422;
    return send(reply, status, { code: error.code, detail: error.message, ...cappedDetails(error.details) });
  }
  if (error instanceof ConcurrencyError) {
    return send(reply, 409, { code: 'concurrency_conflict', detail: 'The resource changed meanwhile; retry' });
  }
  if (error instanceof UnavailableError) {
    request.log.warn({ err: error }, 'dependency unavailable');
    return send(reply, 503, { code: 'dependency_unavailable', detail: `${error.dependency} is unavailable` });
  }
  if (isResponseSerializationError(error)) {
    request.log.error({ err: error }, 'response did not match its schema');
    return send(reply, 500);
  }
  const status = typeof error.statusCode === 'number' ? error.statusCode : 500;
  if (status === 400 && (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY')) {
    // The parser's message quotes the body, which may hold a secret: say what is wrong, not what was sent.
    return send(reply, 400, { code: 'malformed_json', detail: 'The body is not valid JSON' });
  }
  if (status < 500) {
    // Fastify's own client errors (malformed JSON, body too large, wrong content type, rate limit).
    return send(reply, status, { code: error.code?.toLowerCase() ?? 'bad_request', detail: error.message }, false);
  }
  request.log.error({ err: error }, 'unhandled error');
  return send(reply, 500);
};

/**
 * Text PostgreSQL cannot store (U+0000, unpaired UTF-16 surrogates) is refused at the edge, for
 * every route: it could never be written, and reaching the database would only produce a 500.
 */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const findUnstorable = (value: unknown, path: string, depth = 0): string | null => {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? path : null;
  if (depth > 64 || value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return null;
  for (const [k, v] of Object.entries(value)) {
    if (UNSTORABLE.test(k)) return `${path}.${k.replace(UNSTORABLE, '?')}`;
    const found = findUnstorable(v, `${path}.${k}`, depth + 1);
    if (found) return found;
  }
  return null;
};

export const refuseUnstorableText = async (request: FastifyRequest) => {
  const where = findUnstorable(request.params, 'params') ?? findUnstorable(request.query, 'query') ?? findUnstorable(request.body, 'body');
  if (where) throw new HttpError(400, 'invalid_characters', `${where} contains a NUL character or an unpaired surrogate`);
};

/** Errors Fastify raises before routing (a malformed URL, an over-long parameter) as problem+json too. */
export const frameworkErrorHandler = (error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void => {
  // Fastify ignores this handler's result; the reply is sent synchronously.
  void send(reply, error.statusCode && error.statusCode < 500 ? error.statusCode : 400, {
    code: error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'parameter_too_long' : 'malformed_url',
    detail: error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'A path parameter is too long' : 'The URL is malformed',
  });
};

export const notFoundHandler = (request: FastifyRequest, reply: FastifyReply) =>
  send(reply, 404, { code: 'route_not_found', detail: `No route ${request.method} ${request.url.split('?')[0]}` });

/** The HTTP status a domain code answers with (pages that explain a refusal use the same one). */
export const statusOfCode = (code: string): number => STATUS_BY_CODE.get(code) ?? 422;
