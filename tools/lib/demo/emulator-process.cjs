/**
 * One local AWS emulator (kinesalite, dynalite or s3rver) in a child process of `npm run demo`
 * (emulators.ts forks it), so its work runs on another core than the handlers and the SDK
 * clients, and its heap and native stores are its own. Plain CommonJS: node runs it as is,
 * without the parent's TypeScript loader.
 *
 * Why a process and not a worker thread: dynalite and kinesalite keep their data on disk in
 * LevelDB (native classic-level/leveldown) when given a folder. In a worker thread that native
 * store crashed the whole process now and then when the thread was torn down (a segmentation
 * fault at the end of a jest run); in the main thread of its own process it is the addon's normal
 * use. On disk, a 126,000-row replay's tables and stream stay out of the JavaScript heap.
 *
 * Environment: EMULATOR_CONFIG = JSON { kind, directory?: string (s3rver's objects; for dynalite
 * and kinesalite a LevelDB folder instead of keeping everything in memory), credentials:
 * { accessKeyId, secretAccessKey } }.
 * Messages out (IPC): { type: 'listening', port } once listening, { type: 'error', message } if it
 * cannot start, { type: 'stopped' } after a { type: 'stop' } message in, { type: 'memory', heapUsed,
 * rss, maxRss } after a { type: 'memory' } message in (bytes; maxRss is this process's peak).
 * When the parent goes away (its IPC channel closes, even after a SIGKILL) the process exits.
 */
'use strict';
const config = JSON.parse(process.env.EMULATOR_CONFIG || '{}');

async function start() {
  const { kind } = config;
  if (kind === 'dynalite' || kind === 'kinesalite') {
    const create = require(kind);
    const storage = config.directory ? { path: config.directory } : {};
    const server =
      kind === 'dynalite'
        ? create({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...storage })
        : create({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100, ...storage });
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    // close() also closes the LevelDB store; keep-alive sockets of the demo's clients would hold it
    // open, so they are closed too.
    return {
      port: server.address().port,
      stop: () =>
        new Promise((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    };
  }
  if (kind === 's3rver') {
    // s3rver only accepts its own key pair: register the demo's fake credentials too.
    require('s3rver/lib/models/account').DUMMY_ACCOUNT.createKeyPair(config.credentials.accessKeyId, config.credentials.secretAccessKey);
    const S3rver = require('s3rver');
    const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: config.directory, configureBuckets: [] });
    const { port } = await server.run();
    return { port, stop: () => server.close() };
  }
  throw new Error(`unknown emulator ${kind}`);
}

const send = (message) => {
  if (process.connected) process.send(message);
};
process.on('disconnect', () => process.exit(0));

start().then(
  (running) => {
    process.on('message', (message) => {
      if (message && message.type === 'memory') {
        const m = process.memoryUsage();
        send({ type: 'memory', heapUsed: m.heapUsed, rss: m.rss, maxRss: process.resourceUsage().maxRSS * 1024 });
      }
      if (message && message.type === 'stop') {
        Promise.resolve(running.stop()).finally(() => send({ type: 'stopped' }));
      }
    });
    send({ type: 'listening', port: running.port });
  },
  (error) => {
    send({ type: 'error', message: error?.message ? error.message : String(error) });
    process.exitCode = 1;
  },
);
