/** The browser playground: a static page on the SDK core, served only when enabled. */
@NullMarked
package tech.plumeintel.shuzhi.api.playground;

import org.jspecify.annotations.NullMarked;
