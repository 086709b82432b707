import { bootstrap, log } from './lib/bootstrap.mjs';

bootstrap()
  .then(({ temporalCli }) => log(`Ready. Temporal CLI: ${temporalCli}`))
  .catch((err) => {
    console.error(`[roombook] ${err.message}`);
    process.exit(1);
  });
