import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, NotFoundError } from '../domain/shared/errors.js';
import { statusOfCode } from './problem.js';

/**
 * The consent link and callbacks are opened by the seller's browser, not by a script (#16.5). They
 * answer it with a redirect to the operator console (CONSOLE_URL) or, without one, a small page
 * saying what happened and what to do. A caller that asks for JSON (`Accept: application/json`)
 * still gets the JSON result or problem, with the same stable codes.
 */
export const wantsJson = (request: FastifyRequest) => /application\/(problem\+)?json/i.test(request.headers.accept ?? '');

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Only the authorization id part of a state (a UUID) may travel to the console. */
export const authorizationIdOf = (state: string | undefined) => {
  const id = (state ?? '').split('.')[0] ?? '';
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id) ? id : null;
};

/** `${CONSOLE_URL}/#/authorizations/<id>` (CONSOLE_URL '' = the console served by this process, a same-origin path)`
 * `?outcome=connected|failed[&code=…][&reason=…]` (console routes are hash routes). */
export const consoleOutcomeUrl = (consoleUrl: string, authorizationId: string | null, outcome: 'connected' | 'failed', code?: string, reason?: string | null) => {
  const query = new URLSearchParams({ outcome, ...(code ? { code } : {}), ...(reason ? { reason } : {}) });
  const base = consoleUrl.replace(/\/+$/, '');
  return `${base}/#/authorizations${authorizationId ? `/${encodeURIComponent(authorizationId)}` : ''}?${query.toString()}`;
};

const page = (title: string, paragraphs: readonly string[]) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
  `<title>${escapeHtml(title)} · OMS</title><style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;line-height:1.5}` +
  `code{background:#f2f2f2;padding:0 .2em}</style></head><body><h1>${escapeHtml(title)}</h1>` +
  paragraphs.map((p) => `<p>${p}</p>`).join('') +
  `</body></html>`;

export type ConnectedSummary = Readonly<{ authorizationId: string; name: string; platform: string; stores: number; warning: string | null }>;

export const connectedPage = (s: ConnectedSummary) =>
  page('Store connected', [
    `“${escapeHtml(s.name)}” (${escapeHtml(s.platform)}) is connected to OMS with ${s.stores} store${s.stores === 1 ? '' : 's'}.`,
    ...(s.warning ? [escapeHtml(s.warning)] : []),
    `You can close this window. Authorization <code>${escapeHtml(s.authorizationId)}</code>.`,
  ]);

/** What went wrong, in the words of the refusal (they say what to do), and its stable code. */
export const failedPage = (code: string, reason: string | null, detail: string) =>
  page('The store was not connected', [
    escapeHtml(detail),
    `Error code <code>${escapeHtml(code)}</code>${reason ? ` (<code>${escapeHtml(reason)}</code>)` : ''} — give it to the fulfilment company if you need help.`,
  ]);

/** The code and text a refusal shows; internal failures say nothing about internals. */
const describe = (error: unknown): { status: number; code: string; reason: string | null; detail: string } => {
  if (error instanceof NotFoundError) return { status: 404, code: 'not_found', reason: null, detail: 'This authorization does not exist; start the authorization again from OMS.' };
  if (error instanceof DomainError) {
    const reason = typeof error.details?.reason === 'string' ? error.details.reason : null;
    return { status: statusOfCode(error.code), code: error.code, reason, detail: error.message };
  }
  return { status: 500, code: 'internal_error', reason: null, detail: 'OMS could not finish the authorization because of an error on its side; try again in a few minutes.' };
};

/**
 * Runs a browser-facing consent step: JSON callers get the plain result (errors go to the usual
 * problem handler); browsers get the console redirect or a page.
 */
export const answerBrowser = async <T extends { authorizationId: string }>(
  request: FastifyRequest,
  reply: FastifyReply,
  options: Readonly<{ consoleUrl: string | null; state: string | undefined; run: () => Promise<T>; summary: (result: T) => ConnectedSummary }>,
) => {
  if (wantsJson(request)) return options.run();
  let result: T;
  try {
    result = await options.run();
  } catch (error) {
    const { status, code, reason, detail } = describe(error);
    if (status >= 500) request.log.error({ err: error }, 'consent step failed');
    if (options.consoleUrl !== null) return reply.redirect(consoleOutcomeUrl(options.consoleUrl, authorizationIdOf(options.state), 'failed', code, reason), 303);
    return reply.code(status).type('text/html; charset=utf-8').send(failedPage(code, reason, detail));
  }
  if (options.consoleUrl !== null) return reply.redirect(consoleOutcomeUrl(options.consoleUrl, result.authorizationId, 'connected'), 303);
  return reply.code(200).type('text/html; charset=utf-8').send(connectedPage(options.summary(result)));
};
