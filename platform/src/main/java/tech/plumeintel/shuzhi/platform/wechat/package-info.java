/**
 * WeChat's server API as every service uses it: one access token shared by all instances through
 * Redis, and the text content-security check ({@code msg_sec_check} v2) with its verdicts, metrics
 * and failure policy.
 */
@NullMarked
package tech.plumeintel.shuzhi.platform.wechat;

import org.jspecify.annotations.NullMarked;
