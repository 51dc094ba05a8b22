/**
 * Runs the stand-in as a process of its own (for benchmarks that should not share an event loop
 * with it): `node --import tsx test/support/mongo-standin/main.ts --port 27018`. Prints the
 * connection string on stdout once it listens; stops on SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import { startMongoStandIn } from './server.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', short: 'p' },
    host: { type: 'string' },
  },
});

const portText = values.port ?? process.env.MONGO_STANDIN_PORT ?? '27017';
const port = Number(portText);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`invalid port: ${portText}`);
  process.exit(2);
}

const standIn = await startMongoStandIn({ port, host: values.host ?? process.env.MONGO_STANDIN_HOST ?? '127.0.0.1' });
console.log(standIn.url);

const stop = (): void => {
  void standIn.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
