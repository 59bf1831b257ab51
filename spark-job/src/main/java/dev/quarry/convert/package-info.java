/**
 * A conversion on Spark, phase after phase ({@link dev.quarry.convert.ConversionJob}): prepare on the
 * driver (read the model, plan, judge the output directory), scan, lay out, keep what an interrupted run
 * completed, quantize and write, commit. Each step lives in a package of its own, which depends only on
 * the steps before it: {@code read}, {@code plan}, {@code scan}, {@code write}, {@code commit}; this
 * package holds only the run of the steps and the state of each mode as it goes through them.
 */
package dev.quarry.convert;
