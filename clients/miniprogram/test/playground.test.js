'use strict';
/*
 * The playground in a real headless Chromium, driven over the DevTools protocol (Node's WebSocket,
 * behind --experimental-websocket in Node 20): the page loads, logs in, shows the book and its
 * cover, streams an answer; reloaded mid-answer, it resumes and ends with the same text.
 * Needs SHUZHI_PLAYGROUND_URL and SHUZHI_CHROMIUM (MiniProgramSdkIT sets both).
 */
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const env = process.env;
const skip = env.SHUZHI_PLAYGROUND_URL && env.SHUZHI_CHROMIUM ? false : 'needs SHUZHI_PLAYGROUND_URL and SHUZHI_CHROMIUM';

async function launch() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'shuzhi-chromium-'));
  const browser = spawn(env.SHUZHI_CHROMIUM, [
    '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
    '--remote-debugging-port=0', '--user-data-dir=' + profile, '--window-size=900,1100', 'about:blank',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  const endpoint = await new Promise((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error('chromium did not start: ' + err)), 30000);
    browser.stderr.on('data', (d) => {
      err += d;
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    browser.on('exit', (code) => reject(new Error('chromium exited ' + code + ': ' + err)));
  });
  const port = new URL(endpoint).port;
  const targets = await (await fetch('http://127.0.0.1:' + port + '/json/list')).json();
  const page = targets.find((t) => t.type === 'page');
  const socket = new WebSocket(page.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => { socket.onopen = resolve; socket.onerror = reject; });
  let id = 0;
  const waiting = new Map();
  socket.onmessage = (m) => {
    const message = JSON.parse(m.data);
    if (message.id && waiting.has(message.id)) {
      const { resolve, reject } = waiting.get(message.id);
      waiting.delete(message.id);
      message.error ? reject(new Error(JSON.stringify(message.error))) : resolve(message.result);
    }
  };
  const send = (method, params = {}) => new Promise((resolve, reject) => {
    const n = ++id;
    waiting.set(n, { resolve, reject });
    socket.send(JSON.stringify({ id: n, method, params }));
  });
  const close = async () => {
    socket.close();
    const exited = new Promise((resolve) => browser.once('exit', resolve));
    browser.kill('SIGKILL');
    await exited;
    // Chromium's helper processes can outlive the browser for a moment and keep writing into the
    // profile: a temporary directory left behind is not what this test judges.
    try {
      fs.rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 300 });
    } catch (e) {
      console.error(`could not remove the Chromium profile ${profile}: ${e.code}`);
    }
  };
  return { send, close };
}

async function report(cdp) {
  const { result } = await cdp.send('Runtime.evaluate', { expression: "(document.getElementById('autotest')||{}).textContent||''" });
  return result.value ? JSON.parse(result.value) : null;
}

async function until(cdp, predicate, ms = 45000) {
  const deadline = Date.now() + ms;
  let last = null;
  while (Date.now() < deadline) {
    last = await report(cdp).catch(() => null);
    if (last && last.error) return last;
    if (last && predicate(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the page never got there; last report: ' + JSON.stringify(last));
}

function pageUrl(code, question) {
  const q = new URLSearchParams({ autotest: '1', code, isbn: env.SHUZHI_ISBN_BROWSER, question });
  return env.SHUZHI_PLAYGROUND_URL + '?' + q;
}

test('the playground logs in, shows the book and its cover, and streams an answer', { skip, timeout: 120000 }, async () => {
  const cdp = await launch();
  try {
    await cdp.send('Page.enable');
    await cdp.send('Page.navigate', { url: pageUrl(env.SHUZHI_CODE_PREFIX + 'browser-0', '这本书讲了什么[sdk-slow]') });
    const done = await until(cdp, (r) => r.done && r.coverLoaded);
    assert.equal(done.error, null);
    assert.equal(done.loggedIn, true);
    assert.equal(done.title, '黄金时代');
    assert.equal(done.coverLoaded, true, 'the signed cover_url loads in <img> without a token');
    assert.equal(done.text, env.SHUZHI_ANSWER);
    assert.equal(done.reasoning, env.SHUZHI_REASONING);
    if (env.SHUZHI_SCREENSHOT) {
      const shot = await cdp.send('Page.captureScreenshot', { format: 'png' });
      fs.writeFileSync(env.SHUZHI_SCREENSHOT, Buffer.from(shot.data, 'base64'));
    }
  } finally {
    await cdp.close();
  }
});

test('the playground reloaded mid-answer resumes the stream and ends with the same text', { skip, timeout: 120000 }, async () => {
  const cdp = await launch();
  try {
    await cdp.send('Page.enable');
    await cdp.send('Page.navigate', { url: pageUrl(env.SHUZHI_CODE_PREFIX + 'browser-1', '刷新[sdk-slow]') });
    const partway = await until(cdp, (r) => r.phase === 'streaming' && r.text.length > 10);
    assert.ok(partway.text.length < env.SHUZHI_ANSWER.length, 'reloaded before the end');
    await cdp.send('Page.reload');
    const done = await until(cdp, (r) => r.resumed && r.done);
    assert.equal(done.error, null);
    assert.equal(done.text, env.SHUZHI_ANSWER);
  } finally {
    await cdp.close();
  }
});
