/**
 * Streams that outlive their worker: leases on the streams being generated, renewed by their
 * worker; a lapsed lease is claimed by another worker, which continues the answer from the text its
 * log holds.
 */
@NullMarked
package tech.plumeintel.shuzhi.chat.takeover;

import org.jspecify.annotations.NullMarked;
