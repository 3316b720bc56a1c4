import { existsSync } from 'node:fs';

/**
 * Is a container engine reachable? The fast path avoids importing testcontainers (and its network
 * probes) on machines with neither DOCKER_HOST nor a socket.
 */
export const dockerAvailable = async (): Promise<boolean> => {
  if (process.env.TEST_INFRA === 'local') return false;
  if (!process.env.DOCKER_HOST && !existsSync('/var/run/docker.sock')) return false;
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
};
