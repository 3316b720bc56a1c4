/**
 * Connection strings @kurrent/kurrentdb-client 1.3 parses (its parseConnectionString): the
 * `kurrentdb`, `kurrent`, `kdb` and (deprecated) `esdb` schemes, each with a `+discover` form for
 * DNS/gossip discovery. Checked at start-up so a typo stops the service with a clear message
 * instead of crashing on first use. The message never echoes the value (it may hold credentials).
 */
export const ESDB_SCHEMES = ['kurrentdb', 'kurrent', 'kdb', 'esdb'] as const;

const ACCEPTED = ESDB_SCHEMES.flatMap((s) => [s, `${s}+discover`]);

/** What is wrong with the connection string, or null when the client can parse its scheme and host. */
export const esdbConnectionStringProblem = (value: string): string | null => {
  const m = /^([^:/]+):\/\/(.*)$/.exec(value.trim());
  if (!m) return `expected <scheme>://host:port, with scheme one of ${ACCEPTED.join(', ')}`;
  if (!ACCEPTED.includes(m[1]!)) return `unsupported scheme; expected one of ${ACCEPTED.join(', ')} (lower case)`;
  const hosts = m[2]!.replace(/^[^@/]*@/, '').split(/[/?]/)[0]!;
  if (hosts.split(',').some((h) => h.trim() === '')) return 'expected at least one host after the scheme';
  return null;
};

/**
 * Does a server of this version offer atomic multi-stream appends (KurrentDB ≥ 25.1)? The version is
 * what the server reports at connect (`25.1.3`, `25.1.0.123-…`); null when it is unknown or
 * unparsable (the adapter then finds out on its first multi-stream append).
 */
export const supportsMultiStreamAppend = (serverVersion: string): boolean | null => {
  const m = /^(\d+)\.(\d+)/.exec(serverVersion.trim());
  if (!m) return null;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major > 25 || (major === 25 && minor >= 1);
};
