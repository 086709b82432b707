import { NativeConnection, Runtime, DefaultLogger, Worker } from '@temporalio/worker';

/** The ceiling's worker, in a process of its own like the booking worker. */
async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' });
  const worker = await Worker.create({
    connection,
    namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: process.env.TEMPORAL_TASK_QUEUE ?? 'bench-ceiling',
    workflowsPath: require.resolve('./ceiling-workflow'),
  });
  console.log('ceiling worker ready');
  await worker.run();
  await connection.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
