'use strict';
// The mini-program entry: require('shuzhi-miniprogram') or copy src/ into the mini-program.
module.exports = require('./wx.js');
