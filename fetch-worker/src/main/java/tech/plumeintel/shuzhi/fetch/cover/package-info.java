/**
 * Covers: Douban's image hosts refuse foreign Referers, so the worker keeps a copy of each cover in
 * GridFS for the API to serve.
 */
@NullMarked
package tech.plumeintel.shuzhi.fetch.cover;

import org.jspecify.annotations.NullMarked;
