package tech.plumeintel.shuzhi.api.book;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param freshness a stored book older than this is looked up again (and served meanwhile); each
 *     fetch job carries it, so the fetch-worker judges a stored copy by the same measure
 * @param taskDeadline a task not finished by then is reported failed, and a new lookup may start
 * @param taskRetention how long a task can be polled
 * @param publishTimeout how long a lookup waits for Kafka to take the job before answering 503
 * @param inMemoryFor how long an instance serves a stored book from memory without reading it
 *     again; a change to the book shows after at most this long (0: read every time). A book
 *     changes only when the fetch-worker refreshes it (after {@code freshness}), so a minute costs
 *     readers nothing, while with 2 s most lookups of a catalogue's long tail read the store
 * @param inMemoryBooks how many books an instance keeps in memory at most (with their rendered
 *     answers, a few KB each)
 */
@ConfigurationProperties("shuzhi.books")
record BooksProperties(
    @DefaultValue("30d") Duration freshness,
    @DefaultValue("60s") Duration taskDeadline,
    @DefaultValue("1d") Duration taskRetention,
    @DefaultValue("3s") Duration publishTimeout,
    @DefaultValue("60s") Duration inMemoryFor,
    @DefaultValue("10000") int inMemoryBooks) {}
