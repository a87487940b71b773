'use strict';
/*
 * The SDK against the real running system (system-tests' MiniProgramSdkIT starts it and passes its
 * address), through the wx shim. Skipped when SHUZHI_BASE_URL is not set, so `npm test` alone runs
 * only the pure tests; the IT checks that none of these was skipped.
 */
const test = require('node:test');
const assert = require('node:assert/strict');
const { createWx } = require('../shim/wx-shim.js');
const { createShuzhi } = require('../src/index.js');

const env = process.env;
const BASE = env.SHUZHI_BASE_URL;
const skip = BASE ? false : 'needs the running system (SHUZHI_BASE_URL)';
const ISBNS = (env.SHUZHI_ISBNS || '').split(',');
const ANSWER = env.SHUZHI_ANSWER;
const REASONING = env.SHUZHI_REASONING;

/** A reader of its own: a shim whose wx.login gives the codes the IT registered for it. */
function reader(name, shimOptions = {}, clientOptions = {}) {
  const shim = createWx({ loginCode: (i) => env.SHUZHI_CODE_PREFIX + name + '-' + i, ...shimOptions });
  const client = createShuzhi({ baseUrl: BASE, ...clientOptions }, shim.wx);
  return { shim, client };
}

/** Runs a chat to its end; resolves {outcome, value, resumes}. */
function ask(client, isbn, question, extra = {}) {
  return new Promise((resolve) => {
    const resumes = [];
    const seen = { deltas: '', reasoning: '' };
    const handle = client.chat({
      isbn,
      messages: [{ role: 'user', content: question }],
      onReasoning: (piece) => (seen.reasoning += piece),
      onDelta: (piece, all) => {
        seen.deltas += piece;
        if (extra.onDelta) extra.onDelta(piece, all, handle);
      },
      onResume: (r) => resumes.push(r),
      onDone: (value) => resolve({ outcome: 'done', value, resumes, seen, handle }),
      onError: (value) => resolve({ outcome: 'error', value, resumes, seen, handle }),
      onCancel: (value) => resolve({ outcome: 'cancelled', value, resumes, seen, handle }),
      ...extra.request,
    });
    if (extra.onHandle) extra.onHandle(handle);
  });
}

const streamRequests = (shim) => shim.log.filter((r) => r.url.includes('/api/chat/stream/'));

test('login, a new book through its task, then an answer cut every 700 ms arrives exact', { skip, timeout: 90000 }, async () => {
  const { shim, client } = reader('journey', { streamCutMs: 700 });
  await client.login();
  assert.ok(shim.wx.getStorageSync('shuzhi.auth').token, 'the token is kept in wx storage');

  const pending = [];
  const book = await client.lookupBook(env.SHUZHI_ISBN_NEW, { onPending: (task) => pending.push(task.status) });
  assert.ok(pending.length >= 1, 'the lookup went through a 202 task');
  assert.equal(book.title, '黄金时代');
  assert.match(book.cover_url, /\/api\/books\/\d{13}\/cover\/\?exp=\d+&sig=[\w-]+$/);
  const polls = shim.log.filter((r) => r.url.includes('/api/tasks/'));
  assert.ok(polls.length >= 1, 'the task was polled');

  const result = await ask(client, env.SHUZHI_ISBN_NEW, '慢慢讲[sdk-cut]');
  assert.equal(result.outcome, 'done', JSON.stringify(result.value && result.value.message));
  assert.equal(result.value.text, ANSWER, 'the text is the answer exactly: nothing lost, nothing twice');
  assert.equal(result.seen.deltas, ANSWER);
  assert.equal(result.value.reasoning, REASONING);
  const resumed = streamRequests(shim).filter((r) => r.method === 'GET');
  assert.ok(resumed.length >= 2, 'the 700 ms cut made the SDK resume, ' + resumed.length + ' times');
  assert.ok(resumed.every((r) => /^\d+$/.test(r.headers['Last-Event-ID'])), 'each resume says its Last-Event-ID');
  // A POST cut before its answer began is sent again: always with the same client_msg_id, so the
  // server makes one generation of it (the IT counts the model's requests).
  const posts = streamRequests(shim).filter((r) => r.method === 'POST');
  assert.equal(new Set(posts.map((r) => JSON.parse(r.body).client_msg_id)).size, 1, 'one client_msg_id');
});

test('an app hidden mid-answer and shown again resumes with the exact text', { skip, timeout: 60000 }, async () => {
  const { shim, client } = reader('hide');
  await client.login();
  let hidden = false;
  const result = await ask(client, ISBNS[0], '后台[sdk-slow]', {
    onDelta: (piece, all) => {
      if (!hidden && all.length > 20) {
        hidden = true;
        shim.hide(); // the runtime interrupts the request…
        setTimeout(() => shim.show(), 200); // …and the reader comes back
      }
    },
  });
  assert.equal(result.outcome, 'done');
  assert.ok(hidden);
  assert.equal(result.value.text, ANSWER);
  assert.ok(result.resumes.length >= 1);
});

test('a connection that dies without any callback (iOS) is noticed by the idle timer and resumed', { skip, timeout: 60000 }, async () => {
  const { shim, client } = reader('drop', {}, { chat: { idleTimeoutMs: 2500 } });
  await client.login();
  let dropped = false;
  const result = await ask(client, ISBNS[1], '断网[sdk-slow]', {
    onDelta: (piece, all) => {
      if (!dropped && all.length > 20) {
        dropped = true;
        shim.hide({ silent: true });
      }
    },
  });
  assert.equal(result.outcome, 'done');
  assert.equal(result.value.text, ANSWER);
  assert.deepEqual(result.resumes.map((r) => r.reason), ['idle']);
});

test('stop calls the cancel endpoint and the stream ends', { skip, timeout: 60000 }, async () => {
  const { shim, client } = reader('cancel');
  await client.login();
  let cancel = null;
  const result = await ask(client, ISBNS[2], '说来话长[sdk-stop]', {
    onDelta: (piece, all, handle) => {
      if (!cancel) cancel = handle.cancel();
    },
    request: {},
  });
  assert.equal(result.outcome, 'cancelled');
  await cancel;
  const calls = shim.log.filter((r) => r.url.endsWith('/cancel/'));
  assert.equal(calls.length, 1);
  assert.equal(calls[0].status, 200);
  console.log('SDK-CANCELLED ' + result.value.requestId);
});

test('a send whose answer never arrived is sent again with the same client_msg_id: one generation', { skip, timeout: 60000 }, async () => {
  const { shim, client } = reader('double');
  await client.login();
  shim.failNextBeforeResponse();
  const result = await ask(client, ISBNS[3], '点了两次[sdk-double]');
  assert.equal(result.outcome, 'done');
  assert.equal(result.value.text, ANSWER);
  const posts = streamRequests(shim).filter((r) => r.method === 'POST');
  assert.equal(posts.length, 2, 'the send was retried');
  const ids = posts.map((r) => JSON.parse(r.body).client_msg_id);
  assert.equal(ids[0], result.handle.clientMsgId);
  assert.equal(ids[1], ids[0], 'the same client_msg_id both times');
  console.log('SDK-DOUBLE ' + result.value.requestId);
});

test('an expired token is refreshed once for several calls failing at once', { skip, timeout: 60000 }, async () => {
  const { shim, client } = reader('token');
  await client.login();
  const before = shim.wx.getStorageSync('shuzhi.auth');
  await new Promise((r) => setTimeout(r, Number(env.SHUZHI_ACCESS_TTL_MS) + 1500));
  const [profile, collections, history, usage] = await Promise.all([client.profile(), client.collections({ limit: 5 }), client.history({ limit: 5 }), client.usage()]);
  assert.ok(profile.id);
  assert.equal(collections.count, 0);
  assert.equal(history.count, 0);
  assert.equal(typeof usage.tokens_used, 'number');
  const refreshes = shim.log.filter((r) => r.url.endsWith('/api/auth/token/refresh/'));
  assert.equal(refreshes.length, 1, 'one refresh in flight for four 401s');
  assert.equal(shim.log.filter((r) => r.status === 401).length, 4);
  assert.notEqual(shim.wx.getStorageSync('shuzhi.auth').token, before.token);
});

test('history and collections page with limit and offset and follow next', { skip, timeout: 60000 }, async () => {
  const { client } = reader('pages');
  await client.login();
  for (const isbn of ISBNS.slice(4, 7)) await client.collect(isbn);
  const first = await client.collections({ limit: 2 });
  assert.equal(first.count, 3);
  assert.equal(first.results.length, 2);
  const second = await client.page(first.next);
  assert.equal(second.results.length, 1);
  await client.uncollect(ISBNS[4]);
  assert.equal((await client.collections()).count, 2);
  const missing = await client.conversation('000000000000000000000000').catch((e) => e);
  assert.deepEqual([missing.code, missing.status], ['NOT_FOUND', 404]);
  assert.equal(typeof missing.message, 'string');
});
