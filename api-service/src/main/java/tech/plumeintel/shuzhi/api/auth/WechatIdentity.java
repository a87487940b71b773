package tech.plumeintel.shuzhi.api.auth;

import org.jspecify.annotations.Nullable;

/** Who WeChat says the code belongs to. The session key WeChat also sends is dropped at once. */
record WechatIdentity(String openid, @Nullable String unionid) {}
