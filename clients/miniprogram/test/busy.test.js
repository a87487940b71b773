'use strict';
/*
 * A chat sent while the chat-workers are behind: the API answers 503 MODEL_ERROR with Retry-After
 * (api-service's ChatAdmissionIT shows it does), and the SDK waits and sends the same message
 * again. The busy answer is hard to bring about on purpose in the running system, whose worker
 * takes every job at once, so here a small HTTP server over a real socket plays the API's part,
 * answering as the contract says; nothing of the SDK or the shim is replaced.
 */
const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { createWx } = require('../shim/wx-shim.js');
const { createShuzhi } = require('../src/index.js');

const BUSY = { code: 'MODEL_ERROR', message: '对话服务繁忙，请稍后再试' };

/** The API's part: login, then each chat POST answered by the next of `answers`. */
async function apiAnswering(answers) {
  const posts = [];
  const server = http.createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (piece) => (body += piece));
    request.on('end', () => {
      if (request.url === '/api/auth/login/wechat/') {
        response.writeHead(200, { 'Content-Type': 'application/json' });
        return response.end(JSON.stringify({ token: 'access', refresh_token: 'refresh' }));
      }
      posts.push({ at: Date.now(), body: JSON.parse(body) });
      const answer = answers[Math.min(posts.length, answers.length) - 1];
      if (answer.status !== 200) {
        response.writeHead(answer.status, { 'Content-Type': 'application/json', ...answer.headers });
        return response.end(JSON.stringify(answer.body));
      }
      response.writeHead(200, { 'Content-Type': 'text/event-stream', 'X-Request-Id': 'req-1' });
      response.write('retry: 3000\n\n');
      response.write('id: 1\ndata: {"id":"req-1","choices":[{"index":0,"delta":{"content":"答"}}]}\n\n');
      response.end('id: 2\ndata: [DONE]\n\n');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { base: 'http://127.0.0.1:' + server.address().port, posts, close: () => server.close() };
}

/**
 * Runs `body` with the API's part answering `answers` and a client logged in to it (with the SDK's
 * `chat` options and the shim's `wx` options, when given).
 */
async function withClient({ answers, chat, wx }, body) {
  const api = await apiAnswering(answers);
  try {
    const client = createShuzhi(chat ? { baseUrl: api.base, chat } : { baseUrl: api.base }, createWx(wx).wx);
    await client.login();
    await body(client, api);
  } finally {
    api.close();
  }
}

function ask(client) {
  return new Promise((resolve) => {
    const waits = [];
    client.chat({
      isbn: '9787536025080',
      messages: [{ role: 'user', content: '书里讲了什么？' }],
      onWait: (wait) => waits.push({ ...wait, at: Date.now() }),
      onDone: (value) => resolve({ outcome: 'done', value, waits }),
      onError: (value) => resolve({ outcome: 'error', value, waits }),
    });
  });
}

test('a chat answered busy with Retry-After is sent again after the wait, the same message', async () => {
  // A byte a chunk: the refusal's Chinese message arrives split inside its characters.
  const answers = [{ status: 503, headers: { 'Retry-After': '1' }, body: BUSY }, { status: 200 }];
  await withClient({ answers, wx: { maxChunk: 1 } }, async (client, api) => {
    const result = await ask(client);

    assert.equal(result.outcome, 'done', JSON.stringify(result.value));
    assert.equal(result.value.text, '答');
    assert.equal(api.posts.length, 2);
    assert.ok(api.posts[1].at - api.posts[0].at >= 950, 'waited ' + (api.posts[1].at - api.posts[0].at) + ' ms of 1000');
    assert.equal(api.posts[1].body.client_msg_id, api.posts[0].body.client_msg_id, 'the same send, not a new one');
    assert.deepEqual(
      result.waits.map(({ code, message, retryAfterMs, attempt }) => ({ code, message, retryAfterMs, attempt })),
      [{ code: 'MODEL_ERROR', message: BUSY.message, retryAfterMs: 1000, attempt: 1 }]
    );
  });
});

test('a 503 without Retry-After (Kafka down) is an error at once, not sent again', async () => {
  const down = { code: 'UPSTREAM_ERROR', message: '服务暂时不可用，请稍后再试' };
  await withClient({ answers: [{ status: 503, headers: {}, body: down }, { status: 200 }] }, async (client, api) => {
    const result = await ask(client);

    assert.equal(result.outcome, 'error');
    assert.equal(result.value.code, 'UPSTREAM_ERROR');
    assert.equal(result.value.status, 503);
    assert.equal(api.posts.length, 1);
    assert.deepEqual(result.waits, []);
  });
});

test('a busy answer that asks for longer than maxRetryAfterMs is an error with its retryAfter', async () => {
  const answers = [{ status: 503, headers: { 'Retry-After': '30' }, body: BUSY }, { status: 200 }];
  await withClient({ answers, chat: { maxRetryAfterMs: 15000 } }, async (client, api) => {
    const result = await ask(client);

    assert.equal(result.outcome, 'error');
    assert.equal(result.value.code, 'MODEL_ERROR');
    assert.equal(result.value.retryAfter, 30000);
    assert.equal(api.posts.length, 1);
  });
});

test('a chat still busy after maxAttempts sends is an error, not a wait for ever', async () => {
  const answers = [{ status: 503, headers: { 'Retry-After': '0' }, body: BUSY }];
  await withClient({ answers, chat: { maxAttempts: 3 } }, async (client, api) => {
    const result = await ask(client);

    assert.equal(result.outcome, 'error');
    assert.equal(result.value.code, 'MODEL_ERROR');
    assert.equal(api.posts.length, 3);
    assert.equal(result.waits.length, 2);
  });
});

test('stop during a busy wait ends the chat at once and sends nothing more', { timeout: 10000 }, async () => {
  const answers = [{ status: 503, headers: { 'Retry-After': '2' }, body: BUSY }, { status: 200 }];
  await withClient({ answers }, async (client, api) => {
    const outcome = await new Promise((resolve) => {
      const handle = client.chat({
        isbn: '9787536025080',
        messages: [{ role: 'user', content: '书里讲了什么？' }],
        onWait: () => setTimeout(() => handle.cancel(), 100),
        onCancel: (value) => resolve({ outcome: 'cancelled', value }),
        onDone: (value) => resolve({ outcome: 'done', value }),
        onError: (value) => resolve({ outcome: 'error', value }),
      });
    });
    await new Promise((resolve) => setTimeout(resolve, 2500));

    assert.equal(outcome.outcome, 'cancelled');
    assert.equal(outcome.value.requestId, null);
    assert.equal(api.posts.length, 1, 'the refused send was not sent again');
  });
});
