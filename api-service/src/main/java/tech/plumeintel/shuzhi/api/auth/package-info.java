/** Login with WeChat, our JWTs, and the filter that lets no anonymous request through. */
@NullMarked
package tech.plumeintel.shuzhi.api.auth;

import org.jspecify.annotations.NullMarked;
