/**
 * The Redis connection instances share (--redis / REDIS_URL): one client for commands (rate limiters)
 * and publishing, one subscriber, as @socket.io/redis-adapter needs. Connecting fails fast at start
 * with the reason, rather than serving a cluster that silently does not share events.
 */
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';

export interface SharedRedis {
  client: Redis;
  /** The socket.io adapter over these connections. */
  adapter(): ReturnType<typeof createAdapter>;
  close(): Promise<void>;
}

/**
 * `channel` names the socket.io channel: instances sharing one database share it, and clusters on other
 * databases that happen to use the same Redis never hear each other's rooms.
 */
export async function connectRedis(url: string, channel = 'huika'): Promise<SharedRedis> {
  const opts = { lazyConnect: true, maxRetriesPerRequest: 3, connectTimeout: 5000 } as const;
  const client = new Redis(url, opts);
  const sub = client.duplicate();
  // ioredis reconnects by itself; without a listener an 'error' event would crash the process.
  client.on('error', () => {});
  sub.on('error', () => {});
  try {
    await Promise.all([client.connect(), sub.connect()]);
  } catch (err) {
    client.disconnect();
    sub.disconnect();
    throw Object.assign(new Error(`cannot reach Redis at ${url.replace(/\/\/[^@]*@/, '//***@')}: ${(err as Error).message}`), {
      code: 'REDIS_UNREACHABLE',
    });
  }
  return {
    client,
    adapter: () => createAdapter(client, sub, { key: channel }),
    async close() {
      await Promise.allSettled([client.quit(), sub.quit()]);
    },
  };
}
