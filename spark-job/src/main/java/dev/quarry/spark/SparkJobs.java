package dev.quarry.spark;

import dev.quarry.safetensors.CheckpointException;
import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;
import org.apache.spark.api.java.JavaRDD;

/**
 * Runs a Spark job of quarry's and brings its results to the driver; a task's failure comes back as
 * the exception of quarry's own that caused it (bad input: a {@link CheckpointException}, e.g. a NaN
 * weight; else an I/O error naming its file), not as Spark's wrapper around it.
 */
public final class SparkJobs {
  private SparkJobs() {}

  /** Every element of {@code rdd}, in partition order. */
  public static <T> List<T> collect(JavaRDD<T> rdd) throws IOException {
    try {
      return rdd.collect();
    } catch (Exception e) { // Spark throws its checked SparkException without declaring it
      throw unwrapped(e);
    }
  }

  /** {@link #collect}, handing each task's elements to {@code eachTask} as the task succeeds ({@link TaskResults}). */
  public static <T> List<T> collectEach(JavaRDD<T> rdd, Consumer<List<T>> eachTask) throws IOException {
    try {
      return TaskResults.collect(rdd, eachTask);
    } catch (Exception e) {
      throw unwrapped(e);
    }
  }

  private static IOException unwrapped(Exception e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof CheckpointException ce) {
        return ce;
      }
    }
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof IOException io) {
        return io;
      }
    }
    if (e instanceof RuntimeException re) {
      throw re;
    }
    return new IOException(e.getMessage(), e);
  }
}
