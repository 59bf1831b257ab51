/**
 * Step 4, on the executors: every block quantized once and each output byte written once, by the task
 * that computed it, straight to its final place (positioned writes, or the parts of a multipart upload),
 * each shard recorded complete as its last piece is in.
 */
package dev.quarry.convert.write;
