/**
 * A small client for the OMS HTTP API, used the way a person with curl would: real requests against
 * the listening service. A refused request becomes a DemoError naming the call and the problem.
 */

/** A failure the demo explains in one line (no stack trace needed). */
export class DemoError extends Error {
  override readonly name = 'DemoError';
}

/** "title: detail (code)" from a problem+json answer, or the start of whatever else came back. */
const describeProblem = (text: string): string => {
  try {
    const p = JSON.parse(text) as { title?: string; detail?: string; code?: string; issues?: unknown };
    const issues = Array.isArray(p.issues) ? ` ${JSON.stringify(p.issues).slice(0, 300)}` : '';
    return `${p.title ?? ''}${p.detail ? `: ${p.detail}` : ''}${p.code ? ` (${p.code})` : ''}${issues}`;
  } catch {
    return text.slice(0, 200);
  }
};

/** A refused API call, with the problem+json the service answered. */
export class ApiError extends DemoError {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly responseText: string,
  ) {
    super(`${method} ${path.split('?')[0]} answered ${status} ${describeProblem(responseText)}`);
  }

  get code(): string | null {
    try {
      return (JSON.parse(this.responseText) as { code?: string }).code ?? null;
    } catch {
      return null;
    }
  }
}

export type Api = ReturnType<typeof apiClient>;

type CallOptions = Readonly<{ token?: string; body?: unknown; csv?: string; expect?: readonly number[]; cookie?: string }>;

export const apiClient = (baseUrl: string) => {
  const call = async <T>(method: string, path: string, opts: CallOptions = {}): Promise<T> => {
    // An API client: the consent callbacks answer browsers with pages, a JSON caller with JSON.
    const headers: Record<string, string> = { accept: 'application/json' };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.cookie) headers.cookie = opts.cookie;
    let body: string | undefined;
    if (opts.csv !== undefined) {
      headers['content-type'] = 'text/csv';
      body = opts.csv;
    } else if (opts.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    let res: Response;
    try {
      res = await fetch(`${baseUrl}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    } catch (error) {
      throw new DemoError(`${method} ${path}: OMS did not answer (${(error as Error).message})`);
    }
    const text = await res.text();
    const expected = opts.expect ?? [200, 201, 202];
    if (!expected.includes(res.status)) throw new ApiError(method, path, res.status, text);
    return (text ? JSON.parse(text) : null) as T;
  };

  return {
    baseUrl,
    call,
    get: <T>(path: string, token: string) => call<T>('GET', path, { token }),
    post: <T>(path: string, token: string, body?: unknown) => call<T>('POST', path, { token, ...(body !== undefined ? { body } : {}) }),
    postCsv: <T>(path: string, token: string, csv: string) => call<T>('POST', path, { token, csv }),
    /** Every item of a keyset-paged list (`items` + `nextCursor`, passed back as `after`). */
    all: async <T>(path: string, token: string, limit = 500): Promise<T[]> => {
      const items: T[] = [];
      let after: string | null = null;
      do {
        const sep = path.includes('?') ? '&' : '?';
        const cursor: string = after === null ? '' : `&after=${encodeURIComponent(after)}`;
        const page: { items: T[]; nextCursor: string | null } = await call('GET', `${path}${sep}limit=${limit}${cursor}`, { token });
        items.push(...page.items);
        after = page.nextCursor;
      } while (after !== null);
      return items;
    },
  };
};
