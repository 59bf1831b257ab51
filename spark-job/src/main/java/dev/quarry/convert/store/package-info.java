/**
 * The output directory every step writes in: its shards, the completion records under
 * {@code _staging}, {@code _SUCCESS}; also the place other jobs (dequantize) write their shards.
 */
package dev.quarry.convert.store;
