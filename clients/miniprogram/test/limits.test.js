'use strict';
/*
 * A 429 met by the SDK against the real running system (see journeys.test.js): the lookup limit
 * refills per minute, so Retry-After can be up to a minute; this file runs beside the others.
 */
const test = require('node:test');
const assert = require('node:assert/strict');
const { createWx } = require('../shim/wx-shim.js');
const { createShuzhi } = require('../src/index.js');

const env = process.env;
const BASE = env.SHUZHI_BASE_URL;
const skip = BASE ? false : 'needs the running system (SHUZHI_BASE_URL)';

function reader(name) {
  const shim = createWx({ loginCode: (i) => env.SHUZHI_CODE_PREFIX + name + '-' + i });
  return { shim, client: createShuzhi({ baseUrl: BASE }, shim.wx) };
}

test('a 429 is waited out for as long as Retry-After says', { skip, timeout: 150000 }, async () => {
  const { shim, client } = reader('limit');
  await client.login();
  const path = '/api/books/' + env.SHUZHI_ISBN_LIMIT + '/';
  let refused = null;
  for (let i = 0; i < 200 && !refused; i++) {
    await client.call('GET', path).catch((e) => (refused = e));
  }
  assert.ok(refused, 'the lookup limit was reached');
  assert.equal(refused.code, 'RATE_LIMIT');
  assert.equal(refused.status, 429);
  assert.ok(refused.retryAfter >= 1000);
  const started = shim.log.length;
  const book = await client.lookupBook(env.SHUZHI_ISBN_LIMIT, { deadlineMs: 120000 });
  assert.equal(book.title, '黄金时代');
  const lookups = shim.log.slice(started);
  const first429 = lookups.findIndex((r) => r.status === 429);
  assert.ok(first429 >= 0, 'the lookup met a 429');
  const waited = lookups[first429 + 1].at - lookups[first429].endedAt;
  const asked = Number(lookups[first429].retryAfter) * 1000;
  assert.ok(waited >= asked - 50, 'waited ' + waited + ' ms of the ' + asked + ' asked');
});

