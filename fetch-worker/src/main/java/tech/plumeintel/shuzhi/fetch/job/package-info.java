/**
 * The lookup job: a {@code book.fetch.requested} record in, the task in Redis advanced, the book in
 * MongoDB out.
 */
@NullMarked
package tech.plumeintel.shuzhi.fetch.job;

import org.jspecify.annotations.NullMarked;
