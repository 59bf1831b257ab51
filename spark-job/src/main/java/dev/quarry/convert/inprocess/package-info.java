/**
 * {@code quarry quantize}: one safetensors file converted in this process, without Spark, by the same
 * plan, scan, placement and block code as a conversion on Spark.
 */
package dev.quarry.convert.inprocess;
