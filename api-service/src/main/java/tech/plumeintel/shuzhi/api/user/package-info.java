/** The reader's own data: profile, reading history and saved books. */
@NullMarked
package tech.plumeintel.shuzhi.api.user;

import org.jspecify.annotations.NullMarked;
