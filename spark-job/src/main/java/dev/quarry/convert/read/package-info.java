/**
 * Step 1, on the driver: the input model as its headers tell it (config.json, the index, each shard's
 * header, block-FP8 scales), validated before any work starts. Of the tensor data only the block-FP8
 * scales are read (1/16384 of the weights).
 */
package dev.quarry.convert.read;
