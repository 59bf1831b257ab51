/**
 * Step 2, on the driver: what the conversion does with each tensor, the blocks of work it is cut into,
 * and where every output byte goes (the output layout), from the headers and the options alone.
 */
package dev.quarry.convert.plan;
