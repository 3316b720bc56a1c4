import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Fault, FaultKind, FaultRegistry } from '../faults.js';
import type { RequestCounters } from './counters.js';
import {
  readBody,
  replyBody,
  toSandboxRequest,
  type RouteMatch,
  type SandboxReply,
  type SandboxRequest,
} from './http.js';

export type DispatchSpec<Route extends string> = Readonly<{
  match: (method: string, path: string) => RouteMatch<Route> | undefined;
  faults: FaultRegistry<Route>;
  counters: RequestCounters<Route>;
  /** Renders the faults that replace a response, in the marketplace's own wire format. */
  renderFault: (fault: Fault, route: Route, request: SandboxRequest) => SandboxReply;
  notFound: (request: SandboxRequest) => SandboxReply;
  /** Headers on every response (request ids and the like). */
  commonHeaders?: (request: SandboxRequest) => Readonly<Record<string, string>>;
}>;

/** Faults that change the body the handler produced instead of replacing the whole response. */
const BODY_FAULTS: ReadonlySet<FaultKind> = new Set(['delay', 'malformedJson', 'truncatedJson', 'connectionReset']);

const sleep = (ms: number) =>
  new Promise<void>((resolve) => {
    // Unref'd: a forgotten slow response must not keep a test process alive.
    setTimeout(resolve, ms).unref();
  });

/** A trailing comma (or a stray brace after an array) makes any JSON text invalid but complete-looking. */
const malform = (body: string): string => `${body.slice(0, -1)},}`;

const truncate = (body: string): string => body.slice(0, Math.max(0, Math.min(body.length - 1, Math.floor(body.length / 2))));

export const createDispatcher =
  <Route extends string>(spec: DispatchSpec<Route>) =>
  async (incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> => {
    const at = Date.now();
    const base = toSandboxRequest(incoming, await readBody(incoming));
    const matched = spec.match(base.method, base.path);
    const request: SandboxRequest = { ...base, params: matched?.params ?? {} };
    const fault = matched === undefined ? undefined : spec.faults.take(matched.route.name);

    if (fault?.delayMs !== undefined) await sleep(fault.delayMs);

    const reply: SandboxReply =
      matched === undefined
        ? spec.notFound(request)
        : fault !== undefined && !BODY_FAULTS.has(fault.kind)
          ? spec.renderFault(fault, matched.route.name, request)
          : await matched.route.handle(request);

    const { body, contentType } = replyBody(reply);
    const headers: Record<string, string> = {
      ...(contentType !== undefined ? { 'content-type': contentType } : {}),
      ...spec.commonHeaders?.(request),
      ...reply.headers,
    };
    spec.counters.record({
      route: matched?.route.name ?? 'unmatched',
      method: request.method,
      path: request.path,
      status: reply.status,
      at,
      ...(fault !== undefined ? { fault: fault.kind } : {}),
    });

    if (outgoing.destroyed) return;
    const sent = fault?.kind === 'malformedJson' ? malform(body) : fault?.kind === 'truncatedJson' ? truncate(body) : body;
    if (fault?.kind === 'connectionReset') {
      // Promise the whole body, deliver half, then drop the connection: the client sees a network error mid-read.
      outgoing.writeHead(reply.status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
      outgoing.write(truncate(body), () => outgoing.destroy());
      return;
    }
    outgoing.writeHead(reply.status, { ...headers, 'content-length': String(Buffer.byteLength(sent)) });
    outgoing.end(sent);
  };
