#!/usr/bin/env node
// Drives PeerPigeon's OWN signaling client (peerpigeon@1.1.3, src/SignalingClient.js, loaded through
// the package's public entry point) against a hub, and prints one JSON result on stdout.
//
//   node interop.mjs ws://127.0.0.1:3000/ [--timeout-ms 20000] [--idle-ms 0]
//
// --idle-ms N adds a step where all peers stay idle for N ms (to let a hub's heartbeat run) and must
// still be connected afterwards.
//
// Nothing on the hub side and nothing about the socket is stubbed: the client opens real WebSockets
// with the `ws` package (set as globalThis.WebSocket, the way PeerPigeon's own hub does it), and every
// frame each socket RECEIVES is recorded by a thin `ws` subclass that only adds listeners.
// Each PeerPigeon peer is PeerPigeon's SignalingClient + SignalingHandler + PeerDiscovery + CleanupManager,
// wired as PeerPigeonMesh wires them. WebRTC is never started (the scenario stops at signaling), so no
// RTCPeerConnection is created or stubbed; the one stand-in is the WebRTC connection manager (see makePeer).
//
// Peers:  A, B   PeerPigeon SignalingClients in network "interop-net"
//         C      PeerPigeon SignalingClient in network "global", PeerPigeon's default (sees what leaks
//                across networks, and gets the frames that carry no networkName through its filter)
//         D      a raw `ws` socket, not a PeerPigeon client, that announces itself with isHub:true
// Peer ids are random per run and written as <A>, <B>, <C>, <D>, <X> (X = never connected) in the
// output; every `timestamp` field is written as "<ts>", so the output of two runs can be compared.
//
// Exit code: 0 when every step passed, 1 when a step failed, 2 on the overall timeout, 3 on a usage
// error. The JSON result is printed in every case.

import { WebSocket as WsWebSocket } from 'ws';
import { randomBytes } from 'node:crypto';

// Keep stdout for the one JSON result: anything PeerPigeon logs goes to stderr.
console.log = (...args) => console.error(...args);
console.info = (...args) => console.error(...args);

const args = process.argv.slice(2);
const hubUrl = args.find((a) => /^wss?:\/\//.test(a));
// --hub-b URL: B connects to a second hub of the same cluster, so that A and B only meet across hubs.
const hubBIdx = args.indexOf('--hub-b');
const hubUrlB = hubBIdx >= 0 ? args[hubBIdx + 1] : hubUrl;
const timeoutIdx = args.indexOf('--timeout-ms');
const overallTimeoutMs = timeoutIdx >= 0 ? Number(args[timeoutIdx + 1]) : 20000;
const idleIdx = args.indexOf('--idle-ms');
const idleMs = idleIdx >= 0 ? Number(args[idleIdx + 1]) : 0;
const STEP_TIMEOUT_MS = Math.min(5000, overallTimeoutMs);
if (!hubUrl || !Number.isFinite(overallTimeoutMs) || overallTimeoutMs <= 0 || !Number.isFinite(idleMs) || idleMs < 0) {
  process.stdout.write(JSON.stringify({ ok: false, error: 'usage: node interop.mjs ws://host:port/ [--timeout-ms N] [--idle-ms N]' }) + '\n');
  process.exit(3);
}

const NETWORK = 'interop-net';
const OTHER_NETWORK = 'global'; // PeerPigeon's default network: its client also accepts frames with no networkName

// ------------------------------------------------------------------ identities and normalisation

const newPeerId = () => randomBytes(20).toString('hex');
const ids = { A: newPeerId(), B: newPeerId(), C: newPeerId(), D: newPeerId(), X: newPeerId() };
const labelOf = new Map(Object.entries(ids).map(([label, id]) => [id, label]));

function normalizeString(s) {
  let out = s;
  for (const [label, id] of Object.entries(ids)) {
    // Whole ids and the 8-character prefixes hubs like to put in log-style messages.
    out = out.split(id).join(`<${label}>`).split(id.toUpperCase()).join(`<${label}>`);
    out = out.split(id.substring(0, 8)).join(`<${label}:8>`);
  }
  return out;
}

function normalize(value, key) {
  if (key === 'timestamp' && typeof value === 'number') return '<ts>';
  if (typeof value === 'string') return normalizeString(value);
  if (Array.isArray(value)) return value.map((v) => normalize(v));
  if (value && typeof value === 'object') {
    const out = {};
    for (const k of Object.keys(value).sort()) out[k] = normalize(value[k], k);
    return out;
  }
  return value;
}

// The "shape" of a frame: its type and the sorted paths of all its fields, e.g.
// peer-discovered{data{isHub,peerId},fromPeerId,networkName,targetPeerId,timestamp,type}
function shapeOf(value) {
  if (Array.isArray(value)) return '[' + [...new Set(value.map(shapeOf))].join('|') + ']';
  if (value && typeof value === 'object') {
    return '{' + Object.keys(value).sort().map((k) => {
      const v = value[k];
      const inner = v && typeof v === 'object' ? shapeOf(v) : '';
      return k + inner;
    }).join(',') + '}';
  }
  return '';
}

// ------------------------------------------------------------------ recording every received frame

let currentStep = 'connect-and-discover';
let recording = true;
const framesReceivedByPeer = { A: [], B: [], C: [], D: [] };
const closesByPeer = {};
const socketErrorsByPeer = {};
const heartbeatPingsByPeer = {}; // WebSocket ping control frames (answered by ws itself, as browsers do)
const waiters = new Set(); // { predicate, resolve }

function labelFromUrl(url) {
  try {
    const id = new URL(String(url)).searchParams.get('peerId');
    return labelOf.get(id) || '?';
  } catch {
    return '?';
  }
}

class RecordingWebSocket extends WsWebSocket {
  constructor(url, ...rest) {
    super(url, ...rest);
    const label = labelFromUrl(url);
    this.on('message', (data, isBinary) => {
      if (!recording) return;
      const text = isBinary ? null : data.toString();
      let entry;
      try {
        const parsed = JSON.parse(text);
        const frame = normalize(parsed);
        entry = {
          step: currentStep,
          type: parsed && typeof parsed === 'object' ? String(parsed.type) : typeof parsed,
          shape: shapeOf(parsed),
          frame,
          raw: parsed
        };
      } catch {
        entry = { step: currentStep, type: isBinary ? '<binary>' : '<not-json>', shape: '', frame: normalizeString(String(text)), raw: null };
      }
      (framesReceivedByPeer[label] ||= []).push(entry);
      for (const w of [...waiters]) {
        if (w.predicate(label, entry)) {
          waiters.delete(w);
          w.resolve(entry);
        }
      }
    });
    this.on('ping', () => { if (recording) heartbeatPingsByPeer[label] = (heartbeatPingsByPeer[label] || 0) + 1; });
    // An 'error' with no listener would crash the driver (e.g. closing a socket still CONNECTING after
    // SignalingClient.disconnect() removed its handlers); record it instead.
    this.on('error', (err) => {
      if (recording) (socketErrorsByPeer[label] ||= []).push({ step: currentStep, error: normalizeString(String(err && err.message || err)) });
    });
    this.on('close', (code, reason) => {
      if (recording) (closesByPeer[label] ||= []).push({ step: currentStep, code, reason: normalizeString(reason.toString()) });
    });
  }
}

// PeerPigeon's SignalingClient uses `new global.WebSocket(url)` and `WebSocket.OPEN`: set both before
// the library is loaded (Node 20 has no global WebSocket).
globalThis.WebSocket = RecordingWebSocket;
const { SignalingClient } = await import('peerpigeon');
// The classes a PeerPigeonMesh wires behind its SignalingClient. The package's public entry does not
// export them, so they are loaded from the same installed copy (same module instances as index.js uses).
const internal = (file) => import(new URL(`./node_modules/peerpigeon/src/${file}`, import.meta.url));
const { PeerDiscovery } = await internal('PeerDiscovery.js');
const { SignalingHandler } = await internal('SignalingHandler.js');
const { CleanupManager } = await internal('CleanupManager.js');
const { EventEmitter } = await internal('EventEmitter.js');

// ------------------------------------------------------------------ helpers

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms); })
  ]).finally(() => clearTimeout(timer));
}

function waitForFrame(predicate, what, ms = STEP_TIMEOUT_MS) {
  // Already received during this step?
  for (const [label, list] of Object.entries(framesReceivedByPeer)) {
    for (const entry of list) if (entry.step === currentStep && predicate(label, entry)) return Promise.resolve(entry);
  }
  let waiter;
  const p = new Promise((resolve) => { waiter = { predicate, resolve }; waiters.add(waiter); });
  return withTimeout(p, ms, what).finally(() => waiters.delete(waiter));
}

function waitForEvent(emitter, event, predicate, what) {
  let handler;
  const p = new Promise((resolve) => {
    handler = (data) => { if (predicate(data)) resolve(data); };
    emitter.addEventListener(event, handler);
  });
  return withTimeout(p, STEP_TIMEOUT_MS, what).finally(() => emitter.removeEventListener(event, handler));
}

// Waits for a frame that only one of the two hubs sends (so its absence is not a failure), bounded by
// ms; makes the recorded frame order stable on the hub that does send it.
function settle(predicate, ms) {
  return waitForFrame(predicate, 'an optional frame', ms).catch(() => null);
}

const deepEqual = (a, b) => JSON.stringify(normalize(a)) === JSON.stringify(normalize(b));

// One PeerPigeon peer, assembled the way PeerPigeonMesh assembles it, minus WebRTC:
//   SignalingClient(peerId, maxPeers, mesh) -> 'signalingMessage' -> SignalingHandler.handleSignalingMessage
//   SignalingHandler -> PeerDiscovery.addDiscoveredPeer / removeDiscoveredPeer -> 'peerDiscovered'
// The `mesh` is a PeerPigeon EventEmitter carrying the fields those classes read (peerId, networkName,
// maxPeers, peerDiscovery, signalingClient, connected). The only stand-in is the connection manager (the
// WebRTC layer): it counts no connected peers and records the disconnectPeer() calls the handler makes.
// offer/answer/ice-candidate are not given to SignalingHandler (it would build an RTCPeerConnection); the
// scenario checks them on the client's 'signalingMessage' event instead.
const WEBRTC_TYPES = new Set(['offer', 'answer', 'ice-candidate', 'renegotiation-offer', 'renegotiation-answer',
  'ice-restart-offer', 'ice-restart-answer', 'connection-rejected']);

function makePeer(label, networkName) {
  const mesh = new EventEmitter();
  Object.assign(mesh, { peerId: ids[label], networkName, maxPeers: 3, connected: false });
  const disconnectPeerCalls = [];
  const connectionManager = {
    getConnectedPeerCount: () => 0,
    hasPeer: () => false,
    disconnectPeer: (peerId, reason) => disconnectPeerCalls.push({ step: currentStep, peerId, reason })
  };
  const client = new SignalingClient(ids[label], mesh.maxPeers, mesh);
  const discovery = new PeerDiscovery(ids[label], { autoDiscovery: false, maxPeers: mesh.maxPeers });
  const handler = new SignalingHandler(mesh, connectionManager);
  Object.assign(mesh, { signalingClient: client, peerDiscovery: discovery });
  const cleanupManager = new CleanupManager(mesh);

  const received = []; // every message the client emitted as 'signalingMessage' (it passed the client's network filter)
  const discovered = [];
  const handlerErrors = [];
  client.addEventListener('connected', () => { mesh.connected = true; });
  client.addEventListener('disconnected', () => { mesh.connected = false; });
  client.addEventListener('signalingMessage', (message) => {
    received.push({ step: currentStep, message });
    if (!WEBRTC_TYPES.has(message.type)) {
      Promise.resolve(handler.handleSignalingMessage(message)).catch((e) => handlerErrors.push({ step: currentStep, error: String(e) }));
    }
  });
  discovery.addEventListener('peerDiscovered', ({ peerId }) => discovered.push({ step: currentStep, peerId }));
  return { label, networkName, mesh, client, discovery, cleanupManager, received, discovered, disconnectPeerCalls, handlerErrors };
}

// Barrier: a ping answered by a pong proves the hub has processed everything this peer sent before it
// (a hub handles one connection's frames in order). The pong itself is recorded like any other frame.
async function barrier(peer) {
  const before = framesReceivedByPeer[peer.label].filter((e) => e.type === 'pong').length;
  await peer.client.sendSignalingMessage({ type: 'ping', data: { timestamp: Date.now() } });
  await waitForFrame(
    (label, e) => label === peer.label && e.type === 'pong' &&
      framesReceivedByPeer[peer.label].filter((x) => x.type === 'pong').length > before,
    `pong for ${peer.label}`);
}

// ------------------------------------------------------------------ the scenario

const steps = [];
const timingsMs = {};
let failedStep = null;
let failure = null;
const startedAt = Date.now();

const A = makePeer('A', NETWORK);
const B = makePeer('B', NETWORK);
const C = makePeer('C', OTHER_NETWORK);
let D = null; // raw socket

async function step(name, body) {
  currentStep = name;
  const t0 = Date.now();
  try {
    const detail = await body();
    steps.push({ name, ok: true, ...(detail ? { detail: normalize(detail) } : {}) });
  } catch (e) {
    steps.push({ name, ok: false, error: normalizeString(String(e && e.message || e)) });
    throw Object.assign(e instanceof Error ? e : new Error(String(e)), { step: name });
  } finally {
    timingsMs[name] = Date.now() - t0;
  }
}

const lastReceived = (peer, type, stepName = currentStep) =>
  peer.received.filter((r) => r.step === stepName && r.message.type === type).map((r) => r.message);

async function scenario() {
  // 1. All three PeerPigeon clients connect (each sends its announce on open: library behaviour), and
  //    A and B learn of each other through PeerPigeon's own peerDiscovered event; C, in another network,
  //    learns of nobody. One step, because the hub may send peer-discovered before the newcomer's
  //    'connected' has been read.
  await step('connect-and-discover', async () => {
    for (const p of [C, A, B]) {
      await withTimeout(p.client.connect(p === B ? hubUrlB : hubUrl), STEP_TIMEOUT_MS, `${p.label} to connect`);
      await waitForFrame((label, e) => label === p.label && e.type === 'connected', `'connected' frame for ${p.label}`);
    }
    const seen = (p, other) => p.discovered.some((d) => d.peerId === ids[other]);
    await withTimeout(new Promise((resolve) => {
      const check = () => (seen(A, 'B') && seen(B, 'A') ? resolve() : null);
      A.discovery.addEventListener('peerDiscovered', check);
      B.discovery.addEventListener('peerDiscovered', check);
      check();
    }), STEP_TIMEOUT_MS, 'A and B to discover each other (peerDiscovered events)');
    await barrier(C);
    if (C.discovered.length) throw new Error(`C (other network) discovered ${C.discovered.map((d) => d.peerId)}`);
    return {
      connected: { A: A.client.isConnected(), B: B.client.isConnected(), C: C.client.isConnected() },
      peerDiscovered: { A: A.discovered.map((d) => d.peerId), B: B.discovered.map((d) => d.peerId), C: [] }
    };
  });

  // 3-5. offer, answer and ice-candidates through the hub, sent with the client's own send method and
  //      received through its own 'signalingMessage' event.
  const offer = { type: 'offer', sdp: 'v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=sctp-port:5000\r\n' };
  const answer = { type: 'answer', sdp: 'v=0\r\no=- 1190378437004361234 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=sctp-port:5000\r\n' };
  const candidate = { candidate: 'candidate:842163049 1 udp 1677729535 192.0.2.10 50123 typ srflx raddr 0.0.0.0 rport 0 generation 0', sdpMid: '0', sdpMLineIndex: 0 };

  async function relay(from, to, type, data) {
    const got = waitForEvent(to.client, 'signalingMessage', (m) => m.type === type, `${to.label} to receive ${type} from ${from.label}`);
    await from.client.sendSignalingMessage({ type, data, targetPeerId: ids[to.label] });
    const m = await got;
    if (m.fromPeerId !== ids[from.label]) throw new Error(`${type}: fromPeerId is ${m.fromPeerId}, expected ${ids[from.label]}`);
    if (!deepEqual(m.data, data)) throw new Error(`${type}: data changed in transit: ${JSON.stringify(m.data)}`);
    if (m.networkName !== to.networkName) throw new Error(`${type}: networkName ${m.networkName}`);
    return { fromPeerId: m.fromPeerId, targetPeerId: m.targetPeerId, networkName: m.networkName };
  }

  await step('offer', async () => ({ BgotOffer: await relay(A, B, 'offer', offer) }));
  await step('answer', async () => ({ AgotAnswer: await relay(B, A, 'answer', answer) }));
  await step('ice-candidate', async () => ({
    BgotCandidate: await relay(A, B, 'ice-candidate', candidate),
    AgotCandidate: await relay(B, A, 'ice-candidate', { ...candidate, candidate: candidate.candidate.replace('192.0.2.10', '192.0.2.20') })
  }));

  if (idleMs > 0) {
    await step('idle', async () => {
      await new Promise((resolve) => setTimeout(resolve, idleMs));
      for (const p of [A, B, C]) await barrier(p);
      const lost = [A, B, C].filter((p) => !p.client.isConnected()).map((p) => p.label);
      if (lost.length) throw new Error(`disconnected while idle: ${lost.join(', ')}`);
    });
  }

  // 6. ping -> pong (the client drops the pong from its events: it carries no networkName).
  await step('ping', async () => { await barrier(A); });

  // 7-11. Probes: inputs where Loft answers differently on purpose. Each ends with a barrier so that
  //       "nothing came back" is observed deterministically; the frames are compared by the JUnit test.
  await step('probe-unknown-target', async () => {
    await A.client.sendSignalingMessage({ type: 'offer', data: offer, targetPeerId: ids.X });
    await barrier(A);
    // Same from C, whose client (network "global") lets an answer without networkName through to
    // PeerPigeon's SignalingHandler.
    await C.client.sendSignalingMessage({ type: 'offer', data: offer, targetPeerId: ids.X });
    await barrier(C);
    if (C.handlerErrors.length) throw new Error(`C's SignalingHandler failed: ${C.handlerErrors[0].error}`);
    if (!A.client.isConnected() || !C.client.isConnected()) throw new Error('a client lost its connection');
    return { CclientEvents: C.received.filter((r) => r.step === currentStep).map((r) => r.message.type) };
  });
  await step('probe-other-network', async () => {
    await A.client.sendSignalingMessage({ type: 'offer', data: offer, targetPeerId: ids.C });
    await barrier(A);
    await barrier(C);
    if (lastReceived(C, 'offer').length) throw new Error('C (other network) received the offer through its client');
  });
  await step('probe-spoofed-from', async () => {
    // A claims to be X: what does B's client see as the sender?
    const got = waitForEvent(B.client, 'signalingMessage', (m) => m.type === 'ice-candidate', 'B to receive the spoofed ice-candidate');
    A.client.websocket.send(JSON.stringify({ type: 'ice-candidate', data: candidate, fromPeerId: ids.X, targetPeerId: ids.B, networkName: NETWORK }));
    const m = await got;
    return { BsawFromPeerId: m.fromPeerId };
  });
  await step('probe-bad-json', async () => {
    A.client.websocket.send('{"type":"offer",');
    await barrier(A);
    if (!A.client.isConnected()) throw new Error('A was disconnected after malformed input');
  });
  await step('probe-unknown-type', async () => {
    await A.client.sendSignalingMessage({ type: 'interop-probe', data: { hello: 'hub' } });
    await barrier(A);
  });

  await step('probe-cleanup', async () => {
    // PeerPigeon clients send 'cleanup' after failed connections; both hubs accept it and answer nothing.
    await A.client.sendCleanupMessage(ids.B);
    await barrier(A);
    await barrier(B);
  });

  // 12. D, a raw socket, announces itself as a hub: what do the PeerPigeon clients learn about it?
  await step('probe-claims-hub', async () => {
    D = new RecordingWebSocket(`${hubUrl}${hubUrl.includes('?') ? '&' : '?'}peerId=${ids.D}`);
    await withTimeout(new Promise((resolve, reject) => { D.once('open', resolve); D.once('error', reject); }), STEP_TIMEOUT_MS, 'D to open');
    D.send(JSON.stringify({ type: 'announce', data: { peerId: ids.D, isHub: true }, networkName: NETWORK }));
    const isD = (m) => m.type === 'peer-discovered' && m.data && m.data.peerId === ids.D;
    const [a, b] = await Promise.all([
      waitForEvent(A.client, 'signalingMessage', isD, 'A to hear of D'),
      waitForEvent(B.client, 'signalingMessage', isD, 'B to hear of D')
    ]);
    await waitForFrame((label, e) => label === 'D' && e.type === 'peer-discovered' &&
      framesReceivedByPeer.D.filter((x) => x.step === currentStep && x.type === 'peer-discovered').length >= 2,
    'D to hear of A and B');
    if (!A.discovered.some((d) => d.peerId === ids.D)) throw new Error('A: no peerDiscovered event for D');
    return { AsawIsHub: a.data.isHub, BsawIsHub: b.data.isHub };
  });

  // 13. D's socket drops without a goodbye: A and B are told, through their clients' events.
  await step('drop', async () => {
    const isD = (m) => m.type === 'peer-disconnected' && m.data && m.data.peerId === ids.D;
    const both = Promise.all([
      waitForEvent(A.client, 'signalingMessage', isD, 'A to hear D left'),
      waitForEvent(B.client, 'signalingMessage', isD, 'B to hear D left')
    ]);
    D.terminate();
    await both;
    await barrier(C);
    await barrier(A);
    await barrier(B);
  });

  // 14. A leaves the way PeerPigeonMesh.disconnect() does it: CleanupManager.sendGoodbyeMessage() (a
  //     'goodbye' sent through sendSignalingMessage, so it carries A's network), then
  //     SignalingClient.disconnect(). PeerPigeon's SignalingHandler reacts to 'goodbye' only (it has no case
  //     for 'peer-disconnected'): B must get A's goodbye for PeerPigeon to drop A
  //     (PeerDiscovery.removeDiscoveredPeer + connectionManager.disconnectPeer(A, 'left network')).
  await step('leave', async () => {
    const goodbye = waitForEvent(B.client, 'signalingMessage', (m) => m.type === 'goodbye' && m.fromPeerId === ids.A,
      "B's client to receive A's 'goodbye' (the only departure message PeerPigeon's SignalingHandler acts on)");
    const ws = A.client.websocket;
    const closed = new Promise((resolve) => ws.once('close', resolve));
    A.cleanupManager.sendGoodbyeMessage();
    A.client.disconnect();
    A.mesh.connected = false;
    await withTimeout(closed, STEP_TIMEOUT_MS, "A's socket to close");
    // PeerPigeon's hub also tells EVERY connection (C included, whatever its network) when a socket
    // closes; Loft does not. Give that frame a bounded chance to arrive so the order is stable.
    await settle((label, e) => label === 'C' && e.type === 'peer-disconnected', 300);
    await barrier(B);
    await barrier(C);
    const m = await goodbye;
    if (B.discovery.hasPeer(ids.A)) throw new Error("B's PeerDiscovery still lists A after A's goodbye");
    if (!B.disconnectPeerCalls.some((c) => c.peerId === ids.A)) throw new Error("B's SignalingHandler did not call disconnectPeer(A)");
    return {
      BgotGoodbye: { fromPeerId: m.fromPeerId, networkName: m.networkName },
      BdisconnectPeer: B.disconnectPeerCalls.map((c) => ({ peerId: c.peerId, reason: c.reason })),
      CheardOfA: C.received.some((r) => r.message.data && r.message.data.peerId === ids.A)
    };
  });
}

// ------------------------------------------------------------------ run, report, exit

function report(ok, exitCode) {
  recording = false;
  if (failedStep && !steps.some((s) => s.name === failedStep)) steps.push({ name: failedStep, ok: false, error: failure });
  const strip = (list) => list.map(({ step, type, shape, frame }) => ({ step, type, shape, frame }));
  const result = {
    ok,
    ...(failedStep ? { failedStep, error: failure } : {}),
    stepsPassed: steps.filter((s) => s.ok).map((s) => s.name),
    steps,
    peers: { A: NETWORK, B: NETWORK, C: OTHER_NETWORK, D: NETWORK + ' (raw socket, isHub:true)' },
    framesReceivedByPeer: Object.fromEntries(Object.entries(framesReceivedByPeer).map(([k, v]) => [k, strip(v)])),
    closesByPeer,
    socketErrorsByPeer,
    heartbeatPingsByPeer,
    clientEventsByPeer: Object.fromEntries([A, B, C].map((p) => [p.label, p.received.map((r) => ({ step: r.step, type: r.message.type }))])),
    disconnectPeerCallsByPeer: Object.fromEntries([A, B, C].map((p) => [p.label, p.disconnectPeerCalls.map((c) => normalize(c))])),
    handlerErrorsByPeer: Object.fromEntries([A, B, C].map((p) => [p.label, p.handlerErrors])),
    peerDiscoveredEventsByPeer: Object.fromEntries([A, B, C].map((p) => [p.label, p.discovered.map((d) => normalize({ step: d.step, peerId: d.peerId }))])),
    timing: { totalMs: Date.now() - startedAt, stepsMs: timingsMs }
  };
  for (const p of [A, B, C]) {
    try { p.client.disconnect(); } catch { /* already closed */ }
    try { p.discovery.cleanup(); } catch { /* ignore */ }
  }
  try { if (D) D.terminate(); } catch { /* ignore */ }
  process.stdout.write(JSON.stringify(result) + '\n', () => process.exit(exitCode));
  // If stdout never drains, still exit.
  setTimeout(() => process.exit(exitCode), 2000).unref();
}

const overall = setTimeout(() => {
  failedStep = failedStep || currentStep;
  failure = failure || `overall timeout of ${overallTimeoutMs} ms reached during step '${currentStep}'`;
  report(false, 2);
}, overallTimeoutMs);

scenario().then(
  () => { clearTimeout(overall); report(true, 0); },
  (e) => {
    clearTimeout(overall);
    failedStep = e.step || currentStep;
    failure = normalizeString(String(e && e.message || e));
    report(false, 1);
  });
