import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A parsed request as route handlers see it. */
export type SandboxRequest = Readonly<{
  method: string;
  path: string;
  query: URLSearchParams;
  /** The query string as sent, without the leading '?'. */
  rawQuery: string;
  headers: IncomingHttpHeaders;
  body: string;
  params: Readonly<Record<string, string>>;
  /** First value of a header, case-insensitive. */
  header: (name: string) => string | undefined;
}>;

/** What a handler answers. `json` is serialized; `text` is sent as is. */
export type SandboxReply = Readonly<{
  status: number;
  headers?: Readonly<Record<string, string>>;
  json?: unknown;
  text?: string;
}>;

export type Route<Name extends string> = Readonly<{
  name: Name;
  method: string;
  /** Path with `:name` segments, e.g. `/v3/orders/:purchaseOrderId/acknowledge`. */
  pattern: string;
  handle: (request: SandboxRequest) => SandboxReply | Promise<SandboxReply>;
}>;

export type RouteMatch<Name extends string> = Readonly<{ route: Route<Name>; params: Record<string, string> }>;

export const createRouter = <Name extends string>(routes: readonly Route<Name>[]) => {
  const compiled = routes.map((route) => ({ route, segments: route.pattern.split('/').filter(Boolean) }));
  return (method: string, path: string): RouteMatch<Name> | undefined => {
    const parts = path.split('/').filter(Boolean);
    for (const { route, segments } of compiled) {
      if (route.method !== method || segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      const ok = segments.every((segment, i) => {
        const part = parts[i] as string;
        if (segment.startsWith(':')) {
          params[segment.slice(1)] = decodeURIComponent(part);
          return true;
        }
        return segment === part;
      });
      if (ok) return { route, params };
    }
    return undefined;
  };
};

const BODY_LIMIT = 1024 * 1024;

export const readBody = (request: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > BODY_LIMIT) {
        reject(new Error('request body too large'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });

export const toSandboxRequest = (
  incoming: IncomingMessage,
  body: string,
): Omit<SandboxRequest, 'params'> => {
  const url = incoming.url ?? '/';
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const rawQuery = q === -1 ? '' : url.slice(q + 1);
  const headers = incoming.headers;
  return {
    method: incoming.method ?? 'GET',
    path,
    rawQuery,
    query: new URLSearchParams(rawQuery),
    headers,
    body,
    header: (name) => {
      const value = headers[name.toLowerCase()];
      return Array.isArray(value) ? value[0] : value;
    },
  };
};

/** Serializes a reply; a reply without a body gets none (e.g. redirects, bare gateway 503s). */
export const replyBody = (reply: SandboxReply): { body: string; contentType: string | undefined } => {
  if (reply.json !== undefined) return { body: JSON.stringify(reply.json), contentType: 'application/json' };
  if (reply.text !== undefined) return { body: reply.text, contentType: 'text/plain; charset=utf-8' };
  return { body: '', contentType: undefined };
};

export type RunningServer = Readonly<{ url: string; port: number; close: () => Promise<void> }>;

export const startHttpServer = async (
  host: string,
  port: number,
  handle: (request: IncomingMessage, response: ServerResponse) => Promise<void>,
): Promise<RunningServer> => {
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      // A bug in the sandbox itself: answer plainly rather than hang the client under test.
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(`sandbox error: ${error instanceof Error ? error.message : String(error)}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${address.port}`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Clients such as fetch keep connections alive; without this, close() waits for them to time out.
        server.closeAllConnections();
      }),
  };
};
