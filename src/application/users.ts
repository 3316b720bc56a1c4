import type { SessionStore } from '../domain/ports/sessions.js';
import { ConcurrencyError, DomainError, NotFoundError } from '../domain/shared/errors.js';
import { commandHandler, decodeWith, loadState, toNewEvents } from '../domain/shared/commandHandler.js';
import type { Checkpoint, EventMetadata, EventStore } from '../domain/ports/eventStore.js';
import type { Clock, IdGenerator } from '../domain/ports/ids.js';
import { normalizeEmail, userDecider, userEmailStreamId, userStreamId, type User } from '../domain/user/decider.js';
import { TenantCreated } from '../domain/tenant/events.js';
import { userEmailClaimed, UserEmailClaimed, UserEvent, type Role } from '../domain/user/events.js';
import { checkAdministration, type Administrator } from '../domain/user/administration.js';

export type Passwords = Readonly<{
  hash: (password: string) => Promise<string>;
  verify: (password: string, stored: string) => Promise<boolean>;
  oneTime: () => string;
}>;

export type ActiveUser = Exclude<User, { status: 'absent' }>;
export type UserView = Readonly<{ userId: string; email: string; role: Role; tenantId: string | null; mustChangePassword: boolean }>;

export type SignInResult =
  | Readonly<{ ok: true; sessionId: string; csrfToken: string; expiresAt: Date; user: UserView }>
  | Readonly<{ ok: false; reason: 'failed' }>
  | Readonly<{ ok: false; reason: 'throttled'; retryAfterSeconds: number }>;

/** Sign-in throttling: failures per client address and per e-mail within a window. */
export type SignInLimits = Readonly<{ windowMs: number; maxFailuresPerIp: number; maxFailuresPerEmail: number }>;
export const DEFAULT_SIGN_IN_LIMITS: SignInLimits = { windowMs: 15 * 60_000, maxFailuresPerIp: 30, maxFailuresPerEmail: 5 };
export const SESSION_TTL_MS = 12 * 60 * 60_000;
export const MIN_PASSWORD_LENGTH = 12;

const decode = decodeWith(UserEvent);
const decodeClaim = decodeWith(UserEmailClaimed);
const decodeTenantCreated = decodeWith(TenantCreated);
const view = (u: ActiveUser): UserView => ({ userId: u.userId, email: u.email, role: u.role, tenantId: u.tenantId, mustChangePassword: u.mustChangePassword });

/** Counts failures per key in fixed windows; bounded in memory (old windows are dropped). */
const failureCounter = (clock: Clock, windowMs: number) => {
  const counts = new Map<string, { count: number; resetAt: number }>();
  const current = (key: string) => {
    const now = clock.now().getTime();
    const entry = counts.get(key);
    return entry && entry.resetAt > now ? entry : null;
  };
  return {
    /** Seconds until `key` may try again, or 0 when it is under `max`. */
    blockedFor: (key: string, max: number) => {
      const entry = current(key);
      return entry && entry.count >= max ? Math.ceil((entry.resetAt - clock.now().getTime()) / 1000) : 0;
    },
    fail: (key: string) => {
      const entry = current(key);
      if (entry) entry.count++;
      else {
        if (counts.size >= 100_000) counts.clear();
        counts.set(key, { count: 1, resetAt: clock.now().getTime() + windowMs });
      }
    },
    clear: (key: string) => void counts.delete(key),
  };
};

/**
 * Console users: accounts as event streams (`user-<id>`, e-mail claimed by `user_email-<address>`),
 * sign-in with throttling and one generic failure, sessions, password change.
 */
export const userService = (deps: {
  store: EventStore;
  ids: IdGenerator;
  clock: Clock;
  passwords: Passwords;
  sessions: SessionStore;
  signInLimits?: SignInLimits;
}) => {
  const handle = commandHandler(userDecider, decode, deps.store, deps.ids);
  const now = () => deps.clock.now().toISOString();
  const limits = deps.signInLimits ?? DEFAULT_SIGN_IN_LIMITS;
  const failures = failureCounter(deps.clock, limits.windowMs);
  const load = async (userId: string) => (await loadState(userDecider, decode, deps.store, userStreamId(userId))).state;
  // Verified when the e-mail is unknown, so a miss costs as much time as a wrong password (made on first use).
  let dummyHash: Promise<string> | null = null;

  const userIdByEmail = async (email: string): Promise<string | null> => {
    const claim = (await deps.store.readStream(userEmailStreamId(email), { maxCount: 1 }))[0];
    return claim ? decodeClaim(claim).data.userId : null;
  };

  const checkNewPassword = (password: string) => {
    if ([...password].length < MIN_PASSWORD_LENGTH) throw new DomainError('password_too_short', `The password must have at least ${MIN_PASSWORD_LENGTH} characters`);
    if (password.length > 1024) throw new DomainError('password_too_long', 'The password must have at most 1024 characters');
  };

  const self = {
    /**
     * A new user. Without a password a one-time password is generated and returned once (the user
     * is asked to change it). The user's stream and the e-mail's claim are one atomic append, both
     * `no_stream`: of two concurrent creations with one address exactly one succeeds.
     */
    create: async (input: { email: string; role: Role; tenantId: string | null; password?: string }, metadata: EventMetadata) => {
      const oneTimePassword = input.password === undefined ? deps.passwords.oneTime() : null;
      const password = input.password ?? oneTimePassword!;
      checkNewPassword(password);
      const userId = deps.ids.newId();
      const events = userDecider.decide(
        { type: 'CreateUser', data: { userId, email: input.email, role: input.role, tenantId: input.tenantId, passwordHash: await deps.passwords.hash(password), mustChange: oneTimePassword !== null, now: now() } },
        userDecider.initialState(),
      );
      const email = normalizeEmail(input.email);
      const claimStream = userEmailStreamId(email);
      try {
        await deps.store.appendMany([
          { streamId: userStreamId(userId), events: toNewEvents(events, metadata, deps.ids), expected: 'no_stream' },
          { streamId: claimStream, events: toNewEvents([userEmailClaimed({ email, userId })], metadata, deps.ids), expected: 'no_stream' },
        ]);
      } catch (error) {
        if (error instanceof ConcurrencyError && error.streamId === claimStream) throw new DomainError('email_taken', 'A user with this e-mail address exists already');
        throw error;
      }
      return { userId, email, role: input.role, tenantId: input.tenantId, oneTimePassword };
    },

    get: async (userId: string): Promise<UserView> => {
      const state = await load(userId);
      if (state.status !== 'active') throw new NotFoundError('User');
      return view(state);
    },

    /** Throttled per address and per e-mail; every failure looks the same to the caller. */
    signIn: async (emailInput: string, password: string, ip: string): Promise<SignInResult> => {
      const email = normalizeEmail(emailInput);
      const ipKey = `ip:${ip}`;
      const emailKey = `email:${email}`;
      const wait = Math.max(failures.blockedFor(ipKey, limits.maxFailuresPerIp), failures.blockedFor(emailKey, limits.maxFailuresPerEmail));
      if (wait > 0) return { ok: false, reason: 'throttled', retryAfterSeconds: wait };
      const userId = email.length <= 254 ? await userIdByEmail(email) : null;
      const state = userId ? await load(userId) : null;
      const stored = state && state.status === 'active' && state.passwordHash ? state.passwordHash : await (dummyHash ??= deps.passwords.hash('not a real password'));
      const matches = password.length <= 1024 && (await deps.passwords.verify(password, stored));
      if (!matches || !state || state.status !== 'active') {
        failures.fail(ipKey);
        failures.fail(emailKey);
        return { ok: false, reason: 'failed' };
      }
      failures.clear(emailKey);
      const session = await deps.sessions.create(state.userId, deps.clock.now(), SESSION_TTL_MS);
      return { ok: true, sessionId: session.sessionId, csrfToken: deps.sessions.csrfTokenOf(session.sessionId), expiresAt: session.expiresAt, user: view(state) };
    },

    /** The active user behind a session id, or null (unknown, expired, user disabled). */
    session: async (sessionId: string): Promise<{ user: UserView; csrfToken: string } | null> => {
      const session = await deps.sessions.find(sessionId, deps.clock.now());
      if (!session) return null;
      const state = await load(session.userId);
      if (state.status !== 'active') return null;
      return { user: view(state), csrfToken: deps.sessions.csrfTokenOf(sessionId) };
    },

    csrfMatches: deps.sessions.csrfMatches,

    signOut: (sessionId: string) => deps.sessions.remove(sessionId),

    /** Needs the current password; signs out every other session of the user. */
    changePassword: async (sessionId: string, userId: string, current: string, next: string, metadata: EventMetadata) => {
      const state = await load(userId);
      if (state.status !== 'active' || !state.passwordHash) throw new NotFoundError('User');
      if (current.length > 1024 || !(await deps.passwords.verify(current, state.passwordHash))) {
        throw new DomainError('password_incorrect', 'The current password is not correct');
      }
      checkNewPassword(next);
      if (next === current) throw new DomainError('password_unchanged', 'The new password must differ from the current one');
      await handle(userStreamId(userId), { type: 'SetPassword', data: { passwordHash: await deps.passwords.hash(next), mustChange: false, now: now() } }, { metadata });
      await deps.sessions.removeOthers(userId, sessionId);
    },

    /**
     * Embedded mode and the demo: when no user exists yet, an operator with a one-time password
     * (returned once, for the caller to print). Later starts return the address only.
     */
    ensureFirstOperator: async (email: string, metadata: EventMetadata): Promise<{ email: string; oneTimePassword: string | null }> => {
      const any = await deps.store.readAll(null, { maxCount: 1, filter: { eventTypes: ['UserCreated'] } });
      if (any.events.length > 0) return { email: normalizeEmail(email), oneTimePassword: null };
      const created = await (async () => {
        try {
          return await self.create({ email, role: 'operator', tenantId: null }, metadata);
        } catch (error) {
          // Another instance made it at the same moment.
          if (error instanceof DomainError && error.code === 'email_taken') return { email: normalizeEmail(email), oneTimePassword: null };
          throw error;
        }
      })();
      return { email: created.email, oneTimePassword: created.oneTimePassword };
    },

    /**
     * Console users (of one tenant, or every user), e-mail order, with their current role and status.
     * Read from the users' creation events and the users' streams (one read): user counts are small
     * (people, not orders); a read model is the step when that changes.
     */
    list: async (tenantId: string | null): Promise<(UserView & { status: 'active' | 'disabled' })[]> => {
      const ids: string[] = [];
      let after: Checkpoint | null = null;
      for (;;) {
        const batch = await deps.store.readAll(after, { maxCount: 1000, filter: { eventTypes: ['UserCreated'] } });
        for (const e of batch.events) ids.push(decode(e).data.userId);
        if (batch.events.length === 0 || !batch.checkpoint) break;
        after = batch.checkpoint;
      }
      // Every user's stream in one read (a query per user was one round trip each).
      const streams = await deps.store.readStreams(ids.map(userStreamId));
      const users: (UserView & { status: 'active' | 'disabled' })[] = [];
      for (const userId of ids) {
        const state = (streams.get(userStreamId(userId)) ?? []).map(decode).reduce(userDecider.evolve, userDecider.initialState());
        if (state.status === 'absent' || (tenantId !== null && state.tenantId !== tenantId)) continue;
        users.push({ ...view(state), status: state.status });
      }
      return users.sort((a, b) => a.email.localeCompare(b.email));
    },

    /**
     * Role management: a new role (and tenant binding) for a user, checked against who acts
     * (domain/user/administration.ts); recorded as RoleChanged with the actor in the metadata.
     */
    changeRole: async (who: Administrator, userId: string, next: { role: Role; tenantId: string | null }, metadata: EventMetadata): Promise<UserView> => {
      const { state } = await handle(
        userStreamId(userId),
        { type: 'ChangeRole', data: { role: next.role, tenantId: next.tenantId, now: now() } },
        { metadata, authorize: (s) => s.status !== 'absent' && checkAdministration(who, s, next) },
      );
      if (state.status === 'absent') throw new NotFoundError('User');
      return view(state);
    },

    /** Disables a user (UserDisabled, with the actor) and ends every session of theirs at once. */
    disable: async (who: Administrator, userId: string, metadata: EventMetadata): Promise<void> => {
      await handle(userStreamId(userId), { type: 'DisableUser', data: { now: now() } }, { metadata, authorize: (s) => s.status !== 'absent' && checkAdministration(who, s, null) });
      await deps.sessions.removeAll(userId);
    },

    /** Tenants an operator or auditor may pick (id and name), from the tenants' creation events. */
    listTenants: async (): Promise<{ tenantId: string; name: string }[]> => {
      const tenants: { tenantId: string; name: string }[] = [];
      let after: Checkpoint | null = null;
      for (;;) {
        const batch = await deps.store.readAll(after, { maxCount: 1000, filter: { eventTypes: ['TenantCreated'] } });
        for (const e of batch.events) tenants.push(decodeTenantCreated(e).data);
        if (batch.events.length === 0 || !batch.checkpoint) break;
        after = batch.checkpoint;
      }
      return tenants.map(({ tenantId, name }) => ({ tenantId, name })).sort((a, b) => a.name.localeCompare(b.name));
    },
  };
  return self;
};

export type UserService = ReturnType<typeof userService>;

export const userErrorStatusesExtra = {
  password_too_short: 422,
  password_too_long: 422,
  password_incorrect: 422,
  password_unchanged: 422,
} as const;
