/**
 * What every endpoint shares: the error shape, the fallback error page, CORS and request limits.
 */
@NullMarked
package tech.plumeintel.shuzhi.api.web;

import org.jspecify.annotations.NullMarked;
