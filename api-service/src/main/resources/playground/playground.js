/*
 * The playground: the SDK core (sdk/core.js, the very file the mini-program uses) with a fetch
 * transport. A chat under way is remembered in sessionStorage, so a reload mid-answer resumes it.
 * ?autotest=1&code=…&isbn=…&question=… runs the whole journey by itself and reports in #autotest
 * (the headless-browser test reads it).
 */
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var params = new URLSearchParams(location.search);
  var report = { phase: 'loaded', loggedIn: false, title: null, coverLoaded: false, text: '', reasoning: '', done: false, resumed: false, error: null };

  function publish() {
    if (!params.has('autotest')) return;
    $('autotest').hidden = false;
    $('autotest').textContent = JSON.stringify(report);
  }
  publish();

  var client = ShuzhiCore.createClient({
    baseUrl: location.origin,
    platform: {
      transport: ShuzhiFetchTransport.fetchTransport(),
      storage: {
        get: function (k) { var v = localStorage.getItem(k); return v ? JSON.parse(v) : null; },
        set: function (k, v) { localStorage.setItem(k, JSON.stringify(v)); },
        remove: function (k) { localStorage.removeItem(k); }
      },
      loginCode: function () { return $('code').value || 'playground-' + Math.random().toString(36).slice(2); }
    }
  });

  function fail(where, e) {
    report.error = (e && e.code ? e.code + ': ' : '') + (e && e.message ? e.message : String(e));
    publish();
    where.textContent = report.error;
    where.className = 'error';
  }

  function login() {
    $('who').textContent = '…';
    return client.login().then(function (answer) {
      $('who').textContent = 'logged in as ' + (answer.user.nickname || answer.user.id);
      report.loggedIn = true;
      publish();
    }, function (e) { fail($('who'), e); throw e; });
  }

  function showBook(book) {
    $('book').hidden = false;
    $('title').textContent = book.title || book.isbn;
    $('author').textContent = book.author || '';
    $('publisher').textContent = book.publisher || '';
    $('intro').textContent = (book.introduction || '').slice(0, 200);
    report.title = book.title;
    // The signed cover_url works in <img src> without a token, as in the mini-program's <image>.
    $('cover').onload = function () { report.coverLoaded = $('cover').naturalWidth > 0; publish(); };
    $('cover').onerror = function () { report.coverLoaded = false; publish(); };
    if (book.cover_url) $('cover').src = book.cover_url;
    publish();
  }

  function lookup() {
    var isbn = $('isbn').value.trim();
    $('lookup-state').textContent = 'looking up…';
    $('lookup-state').className = '';
    return client.lookupBook(isbn, {
      onPending: function (task) { $('lookup-state').textContent = 'fetching (' + (task.status || 'pending') + ')…'; }
    }).then(function (book) {
      $('lookup-state').textContent = '';
      sessionStorage.setItem('playground.isbn', isbn);
      showBook(book);
      return book;
    }, function (e) { fail($('lookup-state'), e); throw e; });
  }

  var handle = null;

  function chat(options) {
    $('answer').textContent = '';
    $('thinking').textContent = '';
    $('stop').disabled = false;
    $('chat-state').textContent = options.requestId ? 'resuming…' : 'asking…';
    $('chat-state').className = '';
    return new Promise(function (resolve) {
      handle = client.chat(Object.assign({
        isbn: $('isbn').value.trim(),
        messages: [{ role: 'user', content: $('question').value }],
        onStart: function (start) {
          sessionStorage.setItem('playground.chat', JSON.stringify({ requestId: start.requestId, isbn: $('isbn').value.trim(), question: $('question').value }));
          $('chat-state').textContent = 'streaming…';
        },
        onReasoning: function (_, all) { $('thinking').textContent = all; report.reasoning = all; publish(); },
        onDelta: function (_, all) { $('answer').textContent = all; report.text = all; report.phase = 'streaming'; publish(); },
        onReset: function () { $('answer').textContent = ''; $('thinking').textContent = ''; },
        onResume: function (r) { $('chat-state').textContent = 'reconnecting (' + r.reason + ')…'; },
        onDone: function (done) {
          sessionStorage.removeItem('playground.chat');
          $('stop').disabled = true;
          $('chat-state').textContent = 'done' + (done.finishReason ? ' (' + done.finishReason + ')' : '');
          report.text = done.text;
          report.done = true;
          report.phase = 'done';
          publish();
          client.usage().then(function (u) {
            $('usage').textContent = 'today: ' + u.tokens_used + (u.daily_budget ? ' / ' + u.daily_budget : '') + ' tokens; resets ' + u.resets_at;
          }, function () {});
          resolve();
        },
        onCancel: function () {
          sessionStorage.removeItem('playground.chat');
          $('stop').disabled = true;
          $('chat-state').textContent = 'stopped';
          resolve();
        },
        onError: function (e) {
          sessionStorage.removeItem('playground.chat');
          $('stop').disabled = true;
          fail($('chat-state'), e);
          resolve();
        }
      }, options));
    });
  }

  $('login').onclick = function () { login().catch(function () {}); };
  $('lookup').onclick = function () { lookup().catch(function () {}); };
  $('ask').onclick = function () { chat({}); };
  $('stop').onclick = function () { if (handle) handle.cancel(); };
  $('code').value = params.get('code') || '';
  $('isbn').value = params.get('isbn') || sessionStorage.getItem('playground.isbn') || '';
  $('question').value = params.get('question') || '这本书讲了什么？';

  // A reload in the middle of an answer: the stream is picked up where the server has it.
  var pending = JSON.parse(sessionStorage.getItem('playground.chat') || 'null');
  if (pending && client.isLoggedIn()) {
    report.resumed = true;
    $('isbn').value = pending.isbn;
    $('question').value = pending.question;
    $('who').textContent = 'logged in';
    report.loggedIn = true;
    lookup().catch(function () {});
    chat({ requestId: pending.requestId });
    return;
  }

  if (params.has('autotest')) {
    report.phase = 'login';
    publish();
    login()
      .then(function () { report.phase = 'lookup'; publish(); return lookup(); })
      .then(function () { report.phase = 'chat'; publish(); return chat({}); })
      .catch(function (e) { if (!report.error) fail($('chat-state'), e); });
  } else if (client.isLoggedIn()) {
    $('who').textContent = 'logged in';
  }
})();
