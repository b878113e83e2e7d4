/** The Redis the scale-out tests share (127.0.0.1:6379 here; `.ci/run` starts it when it is stopped). */
import { Redis } from 'ioredis';

export const REDIS_URL = process.env.HUIKA_TEST_REDIS ?? 'redis://127.0.0.1:6379';

/** Why Redis cannot be used, or undefined when it answers; under CI=true an absent Redis is an error, not a skip. */
export async function redisUnavailable(): Promise<string | undefined> {
  const r = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0 });
  r.on('error', () => {});
  try {
    await r.connect();
    await r.ping();
    return undefined;
  } catch (err) {
    const why = `Redis at ${REDIS_URL} is not reachable (${(err as Error).message})`;
    if (process.env.CI === 'true') throw new Error(`${why}; under CI=true this test must run`);
    return why;
  } finally {
    r.disconnect();
  }
}
