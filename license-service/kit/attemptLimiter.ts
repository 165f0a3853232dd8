import type { Redis } from 'ioredis';

/**
 * Counts failed attempts (wrong license keys, bad admin tokens, bad signatures) per subject in fixed
 * windows in Redis, so that every service process shares the same count. A subject over its limit is
 * refused before any work is done, until its window ends.
 */
export class AttemptLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly windowSeconds: number,
    private readonly prefix: string,
  ) {}

  /** Seconds until the first blocked subject may try again, or 0 when none is blocked. */
  async blockedFor(subjects: { key: string; limit: number }[]): Promise<number> {
    if (subjects.length === 0) return 0;
    const pipeline = this.redis.pipeline();
    for (const s of subjects) pipeline.get(this.k(s.key)).ttl(this.k(s.key));
    const res = (await pipeline.exec()) ?? [];
    let wait = 0;
    subjects.forEach((s, i) => {
      const count = Number(res[i * 2]?.[1] ?? 0);
      const ttl = Number(res[i * 2 + 1]?.[1] ?? 0);
      if (count >= s.limit) wait = Math.max(wait, ttl > 0 ? ttl : this.windowSeconds);
    });
    return wait;
  }

  async recordFailure(keys: string[]): Promise<void> {
    const pipeline = this.redis.pipeline();
    for (const key of keys) pipeline.incr(this.k(key)).expire(this.k(key), this.windowSeconds, 'NX');
    await pipeline.exec();
  }

  private k(key: string): string {
    return `${this.prefix}:attempts:${key}`;
  }
}
