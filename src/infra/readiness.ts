import type { Client, Connection } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import { withTimeout } from './deadline';
import type { Redis } from './redis';
import { temporalReachable } from './temporal';

export type Dependency = 'postgres' | 'redis' | 'temporal';

/** Checks each dependency independently and in parallel; returns what is down and why. */
export async function checkDependencies(deps: {
  dataSource: DataSource;
  redis: Redis;
  temporal: Client;
  temporalProbe: Connection;
}): Promise<Record<Dependency, { ok: boolean; error?: string }>> {
  const probes: Record<Dependency, () => Promise<unknown>> = {
    postgres: () => withTimeout(deps.dataSource.query('SELECT 1'), 2000),
    redis: () => withTimeout(redisPing(deps.redis), 2000),
    temporal: () => withTimeout(temporalReachable(deps.temporalProbe, deps.temporal.options.namespace), 2500),
  };
  const entries = await Promise.all(
    (Object.keys(probes) as Dependency[]).map(async (name) => {
      try {
        await probes[name]();
        return [name, { ok: true }] as const;
      } catch (err) {
        return [name, { ok: false, error: (err as Error).message }] as const;
      }
    }),
  );
  return Object.fromEntries(entries) as Record<Dependency, { ok: boolean; error?: string }>;
}

/** Waits for a connection in progress (commands fail at once while it connects), then pings. */
async function redisPing(redis: Redis): Promise<string> {
  if (redis.status === 'connecting' || redis.status === 'connect' || redis.status === 'reconnecting') {
    await new Promise<void>((resolve) => {
      redis.once('ready', resolve);
      setTimeout(resolve, 1500).unref();
    });
  }
  return redis.ping();
}
