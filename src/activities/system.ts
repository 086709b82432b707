import type { ActivityDeps } from './deps';

export function createSystemActivities(deps: Pick<ActivityDeps, 'dataSource'>) {
  return {
    async describeDatabase(): Promise<string> {
      const [row] = await deps.dataSource.query('SELECT current_database() AS name, version() AS version');
      return `${row.name} (${String(row.version).split(' ').slice(0, 2).join(' ')})`;
    },
  };
}

export type SystemActivities = ReturnType<typeof createSystemActivities>;
