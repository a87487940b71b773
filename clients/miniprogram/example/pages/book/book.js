// pages/book/book.js: scan a book's barcode, show the book, ask about it.
const { createShuzhi } = require('../../shuzhi/index.js');

Page({
  data: { book: null, question: '', answer: '', thinking: '', status: '', asking: false },

  onLoad() {
    this.api = createShuzhi({ baseUrl: getApp().globalData.apiBase });
  },

  onUnload() {
    if (this.lookup) this.lookup.abort();
    if (this.chat) this.chat.cancel();
  },

  scan() {
    return new Promise((resolve, reject) => wx.scanCode({ scanType: ['barCode'], success: resolve, fail: reject }))
      .then(({ result }) => {
        this.setData({ status: '登录中…' });
        return (this.api.isLoggedIn() ? Promise.resolve() : this.api.login()).then(() => result);
      })
      .then((isbn) => {
        this.setData({ status: '查找中…', book: null, answer: '', thinking: '' });
        this.lookup = this.api.lookupBook(isbn, { onPending: () => this.setData({ status: '正在获取书目…' }) });
        return this.lookup;
      })
      .then((book) => this.setData({ book, status: '' }))
      .catch((error) => this.setData({ status: error.message || '扫码失败' }));
  },

  onQuestion(event) {
    this.setData({ question: event.detail.value });
  },

  ask() {
    const question = this.data.question.trim();
    if (!question || !this.data.book || this.data.asking) return;
    this.setData({ answer: '', thinking: '', status: '', asking: true });
    this.chat = this.api.chat({
      isbn: this.data.book.isbn,
      messages: [{ role: 'user', content: question }],
      onReasoning: (piece, all) => this.setData({ thinking: all }),
      onDelta: (piece, all) => this.setData({ answer: all }),
      onReset: () => this.setData({ answer: '', thinking: '' }),
      onDone: () => this.setData({ asking: false }),
      onCancel: () => this.setData({ asking: false, status: '已停止' }),
      onError: (error) => this.setData({ asking: false, status: error.message }),
    });
  },

  stop() {
    if (this.chat) this.chat.cancel();
  },
});
