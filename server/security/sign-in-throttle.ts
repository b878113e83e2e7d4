/**
 * Sign-in throttling per account and address (CONTRACT.md v2 "Trust"): after 10 failed attempts for one
 * username from one address within 15 minutes, every attempt, even with the right password, is refused
 * with 429 and Retry-After until the window has passed. In memory for one instance; pass an ioredis
 * client and instances sharing that Redis count together. Member sign-in uses the same throttle with
 * its own key prefix.
 */
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Redis } from 'ioredis';
import { AppError } from '../../core/errors.ts';

export interface ThrottleOptions {
  /** Failures allowed in one window (CONTRACT.md: 10). */
  failures?: number;
  /** The window, seconds (CONTRACT.md: 15 minutes). */
  windowSeconds?: number;
  /** Separates what is counted: `portal` sign-in, `member` sign-in… */
  keyPrefix?: string;
  /** Given: counts are kept in Redis, shared by every instance using it. */
  redis?: Redis;
}

export interface SignInThrottle {
  /** Throws 429 RATE_LIMITED (with `retryAfterSeconds` in details) while this account+address is blocked. */
  check(account: string, address: string): Promise<void>;
  /** Counts one failure. */
  failed(account: string, address: string): Promise<void>;
  /** A successful sign-in clears the account+address count. */
  succeeded(account: string, address: string): Promise<void>;
}

export const THROTTLE_FAILURES = 10;
export const THROTTLE_WINDOW_SECONDS = 15 * 60;

/** Usernames are matched case-insensitively elsewhere in people's minds: count `Admin` and `admin` as one. */
const keyOf = (account: string, address: string) => `${account.trim().toLowerCase()}|${address}`;

export function createSignInThrottle(opts: ThrottleOptions = {}): SignInThrottle {
  const failures = opts.failures ?? THROTTLE_FAILURES;
  const duration = opts.windowSeconds ?? THROTTLE_WINDOW_SECONDS;
  const keyPrefix = `huika-signin-${opts.keyPrefix ?? 'portal'}`;
  const limiter: RateLimiterAbstract = opts.redis
    ? new RateLimiterRedis({ storeClient: opts.redis, points: failures, duration, keyPrefix })
    : new RateLimiterMemory({ points: failures, duration, keyPrefix });
  const blocked = (msBeforeNext: number) => {
    const retryAfterSeconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
    return new AppError(
      'RATE_LIMITED',
      `登录失败次数过多，请 ${retryAfterSeconds} 秒后再试 · Too many failed sign-ins; try again in ${retryAfterSeconds} s`,
      { retryAfterSeconds },
    );
  };
  return {
    async check(account, address) {
      const r = await limiter.get(keyOf(account, address));
      if (r && r.consumedPoints >= failures) throw blocked(r.msBeforeNext);
    },
    async failed(account, address) {
      try {
        await limiter.consume(keyOf(account, address));
      } catch (e) {
        // consume rejects with the limiter's result once the points are spent; anything else is a store error.
        if (!(e instanceof RateLimiterRes)) throw e;
      }
    },
    async succeeded(account, address) {
      await limiter.delete(keyOf(account, address));
    },
  };
}
