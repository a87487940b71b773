'use strict';
/*
 * The README's example page, run as written (example/pages/book/book.js, whose text the README
 * quotes and the last test compares), on the wx shim against the real running system: scan →
 * book → chat. Page() and getApp() are the runtime's globals, reproduced here.
 */
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { createWx } = require('../shim/wx-shim.js');

const env = process.env;
const skip = env.SHUZHI_BASE_URL ? false : 'needs the running system (SHUZHI_BASE_URL)';

function loadPage(shim) {
  let definition = null;
  global.wx = shim.wx;
  global.getApp = () => ({ globalData: { apiBase: env.SHUZHI_BASE_URL } });
  global.Page = (d) => (definition = d);
  const file = require.resolve('../example/pages/book/book.js');
  delete require.cache[file];
  require(file);
  // What the runtime makes of a Page definition: data, setData, the methods.
  const page = Object.assign(Object.create(definition), { data: { ...definition.data } });
  page.setData = (patch) => Object.assign(page.data, patch);
  return page;
}

function until(condition, ms = 40000) {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + ms;
    const check = () => (condition() ? resolve() : Date.now() > deadline ? reject(new Error('timed out')) : setTimeout(check, 50));
    check();
  });
}

test('the example page scans a book, shows it and streams an answer', { skip, timeout: 90000 }, async () => {
  const shim = createWx({
    scanResult: env.SHUZHI_ISBN_EXAMPLE,
    loginCode: (i) => env.SHUZHI_CODE_PREFIX + 'example-' + i,
    streamCutMs: 1000,
  });
  const page = loadPage(shim);
  page.onLoad();
  await page.scan();
  assert.equal(page.data.status, '');
  assert.equal(page.data.book.title, '黄金时代');
  assert.match(page.data.book.cover_url, /sig=/);

  page.onQuestion({ detail: { value: '讲讲这本书[sdk-slow]' } });
  page.ask();
  assert.equal(page.data.asking, true);
  await until(() => !page.data.asking);
  assert.equal(page.data.status, '');
  assert.equal(page.data.answer, env.SHUZHI_ANSWER);
  assert.equal(page.data.thinking, env.SHUZHI_REASONING);
});

test('the README quotes the example page exactly', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
  for (const file of ['book.js', 'book.wxml']) {
    const text = fs.readFileSync(path.join(__dirname, '..', 'example', 'pages', 'book', file), 'utf8');
    assert.ok(readme.includes(text), 'README.md must quote example/pages/book/' + file + ' as it is');
  }
});
