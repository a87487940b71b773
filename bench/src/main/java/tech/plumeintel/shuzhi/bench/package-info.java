/**
 * The benchmark: the local run with stand-ins for the LLM and the book sources, open-loop load, and
 * a result table measured against the goals of issue 8.
 */
package tech.plumeintel.shuzhi.bench;
