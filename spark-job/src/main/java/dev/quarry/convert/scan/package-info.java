/**
 * Step 3, on the executors, only where the layout depends on the data: the exact absmax sums of double
 * quantization and the non-finite checks of {@code --allow-non-finite}, with no codes computed. Also the
 * executors' reader of a block's elements, which the write step reads with too.
 */
package dev.quarry.convert.scan;
