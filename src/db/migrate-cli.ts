import { loadConfigOrExit } from '../config';
import { createDataSource, ensureDatabase, migrate } from './data-source';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  if (await ensureDatabase(config.databaseUrl))
    console.log(`Created database ${new URL(config.databaseUrl).pathname.slice(1)}`);
  const dataSource = await createDataSource(config.databaseUrl, {
    poolSize: 2,
    applicationName: 'roombook-migrate',
  }).initialize();
  try {
    const ran = await migrate(dataSource);
    console.log(ran.length ? `Migrations applied: ${ran.join(', ')}` : 'Database schema is up to date.');
  } finally {
    await dataSource.destroy();
  }
}

main().catch((err) => {
  console.error(`Migration failed: ${err.message}`);
  process.exit(1);
});
