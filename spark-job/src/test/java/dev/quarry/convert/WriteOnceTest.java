package dev.quarry.convert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.convert.plan.ConvertOptions;
import dev.quarry.fs.PositionedFiles;
import dev.quarry.quantize.QuantMode;
import dev.quarry.testing.OutputFiles;
import dev.quarry.testing.ReferenceData;
import dev.quarry.testing.SparkTestContext;
import dev.quarry.testing.ThrottledFileSystem;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pieces of write-once output: positioned writes from several threads, and the same bytes written
 * again (a retried task), give the file the ranges describe; an input file that changes while it is
 * converted fails the run, and no output is left. (A tensor's CRC32C composed from its pieces':
 * {@code OutputCrcsTest}.)
 */
class WriteOnceTest {
  @TempDir
  Path dir;

  @Test
  void positionedWritesFromThreadsAndAgainGiveTheSameFile() throws Exception {
    Path file = dir.resolve("shard");
    String uri = file.toUri().toString();
    byte[] expected = new byte[1 << 20];
    new Random(3).nextBytes(expected);
    PositionedFiles.create(uri, expected.length);
    assertEquals(expected.length, Files.size(file), "created at its final length");
    List<CompletableFuture<Void>> writers = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int first = t;
      writers.add(CompletableFuture.runAsync(() -> {
        try (PositionedFiles files = new PositionedFiles()) {
          // interleaved ranges of 4 KiB and a second time over (a retried task writes the same bytes)
          for (int round = 0; round < 2; round++) {
            for (int at = first * 4096; at < expected.length; at += 4 * 4096) {
              files.write(uri, at, ByteBuffer.wrap(expected, at, 4096));
            }
          }
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }));
    }
    CompletableFuture.allOf(writers.toArray(new CompletableFuture[0])).get(60, TimeUnit.SECONDS);
    assertArrayEquals(expected, Files.readAllBytes(file));
  }

  @Test
  void anInputFileChangedDuringTheRunFailsItWithNoOutput() throws Exception {
    Path input = Files.createDirectories(dir.resolve("input"));
    try (Stream<Path> files = Files.list(ReferenceData.file("tiny-llama/input/config.json").getParent())) {
      for (Path f : files.toList()) {
        Files.copy(f, input.resolve(f.getFileName()));
      }
    }
    Path output = dir.resolve("out");
    ConvertOptions o = ConvertOptions.of(ThrottledFileSystem.uri(200, input), output.toString(), QuantMode.NF4)
        .withBlockBytes(256 << 10);
    JavaSparkContext sc = SparkTestContext.start("WriteOnceTest");
    try {
      CompletableFuture<ConvertSummary> run = CompletableFuture.supplyAsync(() -> {
        try {
          return ConversionJob.run(sc, o, line -> {});
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      OutputFiles.await(output.resolve("model.safetensors"), null, 120_000);
      Path shard = input.resolve("model-00003-of-00005.safetensors");
      Files.setLastModifiedTime(shard, FileTime.fromMillis(Files.getLastModifiedTime(shard).toMillis() + 60_000));
      ExecutionException e = assertThrows(ExecutionException.class, () -> run.get(300, TimeUnit.SECONDS));
      assertTrue(e.getCause().getMessage().contains("the input changed while it was being converted"),
          e.getCause().getMessage());
    } finally {
      sc.stop();
    }
    assertFalse(Files.exists(output), "no output left");
  }
}
