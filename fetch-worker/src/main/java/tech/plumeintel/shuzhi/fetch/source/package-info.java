/**
 * Where books come from: the sources (one package each), what they answer, and the HTTP client they
 * share, which keeps to each host's request rate.
 */
@NullMarked
package tech.plumeintel.shuzhi.fetch.source;

import org.jspecify.annotations.NullMarked;
