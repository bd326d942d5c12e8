#!/usr/bin/env node
// Starts PeerPigeon's OWN hub (peerpigeon@1.1.3, server/index.js, exported by the package as
// PeerPigeonServer) on 127.0.0.1, as the control for the interop test.
//
//   node peerpigeon-hub.mjs [port]        port 0 or absent: a free port
//
// Prints exactly one line on stdout once it listens:  {"listening":<port>,"url":"ws://127.0.0.1:<port>/"}
// Everything the hub logs goes to stderr. Stops on SIGTERM/SIGINT, and when stdin closes (so it never
// outlives the JVM that started it).

import { createServer } from 'node:net';

console.log = (...a) => console.error(...a);
console.info = (...a) => console.error(...a);

const HOST = '127.0.0.1';

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, HOST, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// PeerPigeonServer treats port 0 as "use 3000" (`options.port || 3000`), so pick a free one first; if
// it is taken in between, the hub itself moves on to the next port and reports the one it got.
const requested = Number(process.argv[2] || 0);
const port = requested > 0 ? requested : await freePort();

const { PeerPigeonServer } = await import('peerpigeon');
const server = new PeerPigeonServer({ port, host: HOST, maxPortRetries: 20, isHub: false });

let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  const force = setTimeout(() => process.exit(code), 3000);
  force.unref();
  try { await server.stop(); } catch (e) { console.error('stop failed:', e); }
  process.exit(code);
}

process.on('SIGTERM', () => stop(0));
process.on('SIGINT', () => stop(0));
process.stdin.on('end', () => stop(0));
process.stdin.on('error', () => stop(0));
process.stdin.resume();

try {
  const { port: actual } = await server.start();
  process.stdout.write(JSON.stringify({ listening: actual, url: `ws://${HOST}:${actual}/` }) + '\n');
} catch (e) {
  console.error('PeerPigeon hub failed to start:', e);
  process.exit(1);
}
