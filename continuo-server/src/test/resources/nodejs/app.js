// A small Node.js app for the Pyroscope Node.js SDK (@pyroscope/nodejs) to profile, run by PyroscopeNodeSdkTest:
// it burns CPU under endpoint=/checkout and allocates under endpoint=/alloc (dynamic labels), then stops the SDK,
// which flushes its last profiles, and exits. Env: SERVER (address), COLLECT_CPU (1 = wall.collectCpuTime), SECONDS.
const Pyroscope = require('@pyroscope/nodejs');
const crypto = require('crypto');

Pyroscope.init({
  serverAddress: process.env.SERVER,
  appName: process.env.APP_NAME,
  flushIntervalMs: 2000,
  tags: { env: 'test' },
  wall: { collectCpuTime: process.env.COLLECT_CPU === '1' },
});
Pyroscope.start();

const until = Date.now() + Number(process.env.SECONDS || 8) * 1000;
let sink = [];

function burnCpu() {
  const h = crypto.createHash('sha256');
  for (let i = 0; i < 2000; i++) h.update('x' + i);
  return h.digest('hex');
}

function allocate() {
  sink.push(Buffer.alloc(64 * 1024));
  if (sink.length > 200) sink = [];
}

function tick() {
  if (Date.now() > until) {
    Pyroscope.stop().then(() => process.exit(0));
    return;
  }
  Pyroscope.wrapWithLabels({ endpoint: '/checkout' }, () => {
    const end = Date.now() + 20;
    while (Date.now() < end) burnCpu();
  });
  Pyroscope.wrapWithLabels({ endpoint: '/alloc' }, () => {
    for (let i = 0; i < 20; i++) allocate();
  });
  setTimeout(tick, 5);
}
tick();
