/**
 * Step 1, on the driver: the input model as its headers tell it (config.json, the index, each shard's
 * header, block-FP8 scales), validated before any work starts. No tensor data is read.
 */
package dev.quarry.convert.read;
