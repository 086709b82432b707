import { databaseIdentity } from '../db/queryable';
import type { ActivityDeps } from './deps';

export function createSystemActivities(deps: Pick<ActivityDeps, 'dataSource'>) {
  return {
    async describeDatabase(): Promise<string> {
      const row = await databaseIdentity(deps.dataSource);
      return `${row.name} (${row.version.split(' ').slice(0, 2).join(' ')})`;
    },
  };
}

export type SystemActivities = ReturnType<typeof createSystemActivities>;
