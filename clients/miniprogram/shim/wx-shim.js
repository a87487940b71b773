'use strict';
/*
 * A `wx` object for Node that behaves as the mini-program runtime does where the SDK depends on it:
 * wx.request over real HTTP with enableChunked delivering ArrayBuffer chunks split at random byte
 * offsets (and several server writes merged into one chunk), the request timeout that cuts every
 * request (60 s in the runtime; shortened here), fail({errMsg: 'request:fail abort'}) on abort,
 * an app-hide that interrupts the requests in flight (with a fail callback, or silently as iOS
 * does when the network drops), wx.onAppShow, wx.login codes and synchronous storage.
 */
const http = require('node:http');
const https = require('node:https');

function createWx(options = {}) {
  const random = options.random || Math.random;
  const inFlight = new Set();
  const appShow = [];
  const storage = new Map();
  const log = []; // every request: {method, url, headers, status, at, endedAt, outcome}
  let nextFailure = null;

  function splitPieces(buffer) {
    const pieces = [];
    let from = 0;
    while (from < buffer.length) {
      const size = 1 + Math.floor(random() * Math.min(buffer.length - from, options.maxChunk || 48));
      pieces.push(buffer.subarray(from, from + size));
      from += size;
    }
    return pieces;
  }

  function toArrayBuffer(piece) {
    const copy = new ArrayBuffer(piece.length);
    new Uint8Array(copy).set(piece);
    return copy;
  }

  function request(params) {
    const url = new URL(params.url);
    const entry = { method: params.method || 'GET', url: params.url, headers: { ...(params.header || {}) }, body: params.data, at: Date.now() };
    log.push(entry);
    const headerListeners = [];
    const chunkListeners = [];
    let settled = false;
    let pending = Buffer.alloc(0);
    let timer = null;
    const failure = nextFailure;
    nextFailure = null;

    const settle = (fn, outcome, res) => {
      if (settled) return;
      settled = true;
      entry.outcome = outcome;
      entry.endedAt = Date.now();
      clearTimeout(timer);
      inFlight.delete(task);
      req.destroy();
      if (fn) fn(res);
      if (params.complete) params.complete(res);
    };
    const fail = (errMsg) => settle(params.fail, errMsg, { errMsg });

    const body = params.data === undefined ? undefined : typeof params.data === 'string' ? params.data : JSON.stringify(params.data);
    const req = (url.protocol === 'https:' ? https : http).request(url, { method: entry.method, headers: params.header });
    req.on('response', (res) => {
      if (settled) return;
      if (failure === 'before-response') return fail('request:fail');
      entry.status = res.statusCode;
      entry.retryAfter = res.headers['retry-after'];
      const header = {};
      for (const [k, v] of Object.entries(res.headers)) header[k.replace(/(^|-)([a-z])/g, (m) => m.toUpperCase())] = Array.isArray(v) ? v.join(', ') : v;
      if (params.enableChunked) headerListeners.forEach((l) => l({ header, statusCode: res.statusCode }));
      const all = [];
      res.on('data', (data) => {
        if (settled) return;
        if (!params.enableChunked) return all.push(data);
        // Merge with what was held back, deliver random pieces, hold back a random tail: one
        // chunk may carry several events or part of one, as on devices.
        pending = Buffer.concat([pending, data]);
        const pieces = splitPieces(pending);
        const keep = random() < 0.3 ? 1 : 0;
        pieces.slice(0, pieces.length - keep).forEach((p) => chunkListeners.forEach((l) => l({ data: toArrayBuffer(p) })));
        pending = keep ? Buffer.from(pieces[pieces.length - 1]) : Buffer.alloc(0);
      });
      res.on('end', () => {
        if (settled) return;
        if (params.enableChunked) {
          splitPieces(pending).forEach((p) => chunkListeners.forEach((l) => l({ data: toArrayBuffer(p) })));
          return settle(params.success, 'ok', { statusCode: res.statusCode, header, data: new ArrayBuffer(0) });
        }
        const bytes = Buffer.concat(all);
        let data = params.responseType === 'arraybuffer' ? toArrayBuffer(bytes) : bytes.toString('utf8');
        if (params.dataType === undefined || params.dataType === 'json') {
          try { data = JSON.parse(data); } catch (e) { /* the runtime leaves it as text */ }
        }
        settle(params.success, 'ok', { statusCode: res.statusCode, header, data });
      });
      res.on('error', () => fail('request:fail'));
      res.on('aborted', () => fail('request:fail'));
    });
    req.on('error', (e) => fail('request:fail ' + e.code));
    if (body !== undefined) req.write(body);
    req.end();
    // The runtime's request timeout: 60 s at most, whatever the stream is doing. The cut of a
    // stream is what the SDK must survive, so tests shorten it (streamCutMs).
    const cut = params.enableChunked && options.streamCutMs ? options.streamCutMs : params.timeout || 60000;
    timer = setTimeout(() => fail('request:fail timeout'), cut);

    const task = {
      abort: () => fail('request:fail abort'),
      onHeadersReceived: (l) => headerListeners.push(l),
      onChunkReceived: (l) => chunkListeners.push(l),
      offChunkReceived: () => {},
      // The shim's own: the connection dies and no callback ever fires (iOS network loss).
      dropSilently: () => {
        settled = true;
        entry.outcome = 'dropped';
        clearTimeout(timer);
        inFlight.delete(task);
        req.destroy();
      },
      interrupt: () => fail('request:fail interrupted'),
      entry,
    };
    inFlight.add(task);
    return task;
  }

  let codes = 0;
  const wx = {
    request,
    login: ({ success, fail }) => {
      const code = options.loginCode ? options.loginCode(codes++) : 'code-' + codes++;
      setTimeout(() => (code ? success({ code, errMsg: 'login:ok' }) : fail({ errMsg: 'login:fail' })), 1);
    },
    getStorageSync: (key) => (storage.has(key) ? JSON.parse(storage.get(key)) : ''),
    setStorageSync: (key, value) => storage.set(key, JSON.stringify(value)),
    removeStorageSync: (key) => storage.delete(key),
    onAppShow: (listener) => appShow.push(listener),
    scanCode: ({ success }) => setTimeout(() => success({ result: options.scanResult, scanType: 'EAN_13', errMsg: 'scanCode:ok' }), 1),
  };

  return {
    wx,
    log,
    storage,
    /** The app goes to the background: requests in flight are interrupted (silently on iOS). */
    hide({ silent = false } = {}) {
      for (const task of [...inFlight]) (silent ? task.dropSilently() : task.interrupt());
    },
    show() {
      appShow.forEach((l) => l({ scene: 1001 }));
    },
    /** The next request is sent but its answer never arrives: the network fails under it. */
    failNextBeforeResponse() {
      nextFailure = 'before-response';
    },
    inFlight: () => inFlight.size,
  };
}

module.exports = { createWx };
