'use strict';
// The stream parser alone: whatever the byte chunking, the same events come out.
const test = require('node:test');
const assert = require('node:assert/strict');
const { SseParser, utf8Encode, utf8Decode } = require('../src/sse.js');

const STREAM =
  'retry: 3000\n\n' +
  ': ping\n\n' +
  'id: 1\ndata: {"choices":[{"delta":{"role":"assistant","content":"\\u9ec4\\u91d1"}}]}\n\n' +
  'id: 2\r\ndata: {"choices":[{"delta":{"content":"\\ud83d\\ude00 \u65f6\u4ee3"}}]}\r\n\r\n' +
  'event: reset\nid: 3\ndata: {}\n\n' +
  'id: 4\rdata: first\rdata: second\r\r' +
  'event: error\nid: 5\ndata: {"code":"MODEL_ERROR","message":"\u4e2d\u65ad"}\n\n' +
  'data: [DONE]\n\n';

function parse(chunks) {
  const events = [];
  const retries = [];
  const comments = [];
  const parser = new SseParser({
    onEvent: (e) => events.push(e),
    onRetry: (ms) => retries.push(ms),
    onComment: (c) => comments.push(c),
  });
  for (const chunk of chunks) parser.push(chunk.buffer.slice(chunk.byteOffset, chunk.byteOffset + chunk.byteLength));
  return { events, retries, comments };
}

function splitAt(bytes, offsets) {
  const chunks = [];
  let from = 0;
  for (const at of [...offsets].sort((a, b) => a - b)) {
    chunks.push(bytes.subarray(from, at));
    from = at;
  }
  chunks.push(bytes.subarray(from));
  return chunks;
}

const BYTES = utf8Encode(STREAM);
const WHOLE = parse([BYTES]);

test('a whole stream gives its events, ids, types, retry and pings', () => {
  assert.deepEqual(WHOLE.retries, [3000]);
  assert.deepEqual(WHOLE.comments, ['ping']);
  assert.deepEqual(WHOLE.events.map((e) => e.type), ['message', 'message', 'reset', 'message', 'error', 'message']);
  assert.deepEqual(WHOLE.events.map((e) => e.lastEventId), ['1', '2', '3', '4', '5', '5']);
  assert.equal(JSON.parse(WHOLE.events[0].data).choices[0].delta.content, '黄金');
  assert.equal(JSON.parse(WHOLE.events[1].data).choices[0].delta.content, '😀 时代');
  assert.equal(WHOLE.events[3].data, 'first\nsecond');
  assert.equal(JSON.parse(WHOLE.events[4].data).message, '中断');
  assert.equal(WHOLE.events[5].data, '[DONE]');
});

test('a split at every single byte offset gives the same events', () => {
  for (let at = 0; at <= BYTES.length; at++) {
    assert.deepEqual(parse(splitAt(BYTES, [at])), WHOLE, 'split at ' + at);
  }
});

test('one byte per chunk, inside multi-byte characters and \\uXXXX escapes, gives the same events', () => {
  const chunks = [];
  for (let i = 0; i < BYTES.length; i++) chunks.push(BYTES.subarray(i, i + 1));
  assert.deepEqual(parse(chunks), WHOLE);
});

test('random splits into many chunks give the same events', () => {
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let round = 0; round < 500; round++) {
    const cuts = Array.from({ length: 1 + Math.floor(random() * 12) }, () => Math.floor(random() * BYTES.length));
    assert.deepEqual(parse(splitAt(BYTES, cuts)), WHOLE, 'cuts ' + cuts);
  }
});

test('utf-8 round-trips every plane', () => {
  const text = 'a\u00e9\u4e2d\ud83d\ude00\u0000z';
  assert.equal(utf8Decode(utf8Encode(text)), text);
  assert.deepEqual(Array.from(utf8Encode('中')), Array.from(Buffer.from('中')));
});
