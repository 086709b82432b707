import { createUser } from '../support/fixtures';
import { apiForSuite, type TestStack } from '../support/stack';

describe('calendar feed rotation', () => {
  let stack: TestStack;
  apiForSuite((started) => (stack = started));

  test('when one person rotates their feed URL 10 times at once, then no answer is a 5xx and exactly one of the URLs works afterwards', async () => {
    const user = await createUser(stack);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        fetch(`${stack.baseUrl}/api/v1/users/me/calendar-feed`, { method: 'POST', headers: user.auth }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(statuses).toEqual(Array(10).fill(201));
    const tokens: string[] = await Promise.all(answers.map(async (a) => (await a.json()).token));
    expect(new Set(tokens).size).toBe(10);

    const feeds = await Promise.all(
      tokens.map((token) => fetch(`${stack.baseUrl}/api/v1/users/me/calendar.ics?token=${encodeURIComponent(token)}`)),
    );
    expect(feeds.map((f) => f.status).filter((s) => s === 200)).toHaveLength(1);
    expect(feeds.map((f) => f.status).filter((s) => s !== 200)).toEqual(Array(9).fill(401));
    const [{ active }] = await stack.deps.dataSource.query(
      'SELECT count(*)::int AS active FROM calendar_feeds WHERE user_id = $1 AND revoked_at IS NULL',
      [user.id],
    );
    expect(active).toBe(1);
  });
});
