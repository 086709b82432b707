import { loadConfig } from '../src/config';
import { json } from './support/http';
import { startApi, type TestStack } from './support/stack';
import { TcpProxy } from './support/tcp-proxy';

const target = (url: string) => {
  const u = new URL(url.includes('://') ? url : `tcp://${url}`);
  return { host: u.hostname, port: Number(u.port) };
};

describe('/ready through a dependency outage', () => {
  const base = loadConfig();
  const proxies = {
    postgres: new TcpProxy(target(base.databaseUrl)),
    redis: new TcpProxy(target(base.redisUrl)),
    temporal: new TcpProxy(target(base.temporal.address)),
  };
  let stack: TestStack;

  beforeAll(async () => {
    await Promise.all(Object.values(proxies).map((p) => p.start()));
    const db = new URL(base.databaseUrl);
    db.host = `127.0.0.1:${proxies.postgres.port}`;
    stack = await startApi({
      databaseUrl: db.toString(),
      redisUrl: `redis://127.0.0.1:${proxies.redis.port}`,
      temporal: { ...base.temporal, address: `127.0.0.1:${proxies.temporal.port}` },
    });
  });
  afterAll(async () => {
    await stack.close();
    await Promise.all(Object.values(proxies).map((p) => p.stop()));
  });

  const ready = async () => {
    const res = await fetch(`${stack.baseUrl}/ready`);
    return { status: res.status, body: await json(res) };
  };

  const untilReady = async () => {
    for (let i = 0; i < 60; i += 1) {
      const r = await ready();
      if (r.status === 200) return r;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    return ready();
  };

  test.each(['postgres', 'redis', 'temporal'] as const)(
    'when %s goes down, then /ready is 503 naming it, and 200 again once it is back',
    async (name) => {
      expect((await untilReady()).status).toBe(200);

      await proxies[name].stop();
      const down = await ready();
      expect(down.status).toBe(503);
      expect(down.body.down).toEqual([name]);
      expect(down.body.checks[name].ok).toBe(false);
      expect(down.body.message).toContain(name);

      await proxies[name].restart();
      const back = await untilReady();
      expect(back.status).toBe(200);
    },
  );
});
