const { Worker, SHARE_ENV } = require('node:worker_threads');
const kind = process.argv[2];
const koffi = require.resolve('koffi');
const src = `require(${JSON.stringify(koffi)}); require('node:worker_threads').parentPort.postMessage(1)`;
const opts = { eval: true, resourceLimits: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 1 }, stdout: false, stderr: false };
if (kind.includes('env')) opts.env = SHARE_ENV;
if (kind.includes('argv')) { opts.execArgv = []; opts.argv = []; }
if (kind.includes('fds')) opts.trackUnmanagedFds = false;
if (kind.includes('nolim')) delete opts.resourceLimits;
require(koffi);
const c0 = process.cpuUsage(); const t0 = performance.now();
const w = new Worker(src, opts);
w.once('message', () => { const c = process.cpuUsage(c0); console.log(((c.user + c.system) / 1000).toFixed(1)); process.exit(0); });
