/**
 * One local AWS emulator (kinesalite, dynalite or s3rver) in a worker thread, so its work runs on
 * another core than the handlers and the SDK clients of `npm run demo` (each emulator is
 * single-threaded JavaScript). Plain CommonJS: a worker starts from a file node runs as is.
 *
 * workerData: { kind: 'kinesalite' | 'dynalite' | 's3rver', directory?: string (s3rver's objects;
 *               for dynalite and kinesalite a LevelDB folder instead of keeping everything in memory),
 *               credentials: { accessKeyId, secretAccessKey } }
 * Messages out: { type: 'listening', port } once listening, { type: 'error', message } if it
 * cannot start, { type: 'stopped' } after a { type: 'stop' } message in, { type: 'memory', heapUsed,
 * external } after a { type: 'memory' } message in (this thread's V8 heap, for the run's memory figures).
 */
'use strict';
const { parentPort, workerData } = require('node:worker_threads');

async function start() {
  const { kind } = workerData;
  if (kind === 'dynalite' || kind === 'kinesalite') {
    const create = require(kind);
    const storage = workerData.directory ? { path: workerData.directory } : {};
    const server =
      kind === 'dynalite'
        ? create({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...storage })
        : create({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100, ...storage });
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    // close() also closes the LevelDB store; keep-alive sockets of the demo's clients would hold it
    // open, so they are closed too. The parent terminates this thread only after 'stopped': a
    // thread torn down with a native LevelDB handle still open crashes the whole process.
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
    require('s3rver/lib/models/account').DUMMY_ACCOUNT.createKeyPair(workerData.credentials.accessKeyId, workerData.credentials.secretAccessKey);
    const S3rver = require('s3rver');
    const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: workerData.directory, configureBuckets: [] });
    const { port } = await server.run();
    return { port, stop: () => server.close() };
  }
  throw new Error(`unknown emulator ${kind}`);
}

start().then(
  (running) => {
    parentPort.on('message', (message) => {
      if (message && message.type === 'memory') {
        const m = process.memoryUsage();
        parentPort.postMessage({ type: 'memory', heapUsed: m.heapUsed, external: m.external });
      }
      if (message && message.type === 'stop') {
        Promise.resolve(running.stop()).finally(() => parentPort.postMessage({ type: 'stopped' }));
      }
    });
    parentPort.postMessage({ type: 'listening', port: running.port });
  },
  (error) => parentPort.postMessage({ type: 'error', message: error?.message ? error.message : String(error) }),
);
